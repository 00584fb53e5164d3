import { describe, expect, it } from 'vitest';
import type { CaptureStream } from '../../../preload/contract';
import { diagnose } from '../../../main/engine/analysis/diagnosis';
import { detectRuntime } from '../../../main/engine/analysis/runtimes';
import type { WriteFact } from '../../../main/engine/analysis/write-stats';

const pipeStream = (fd: number): CaptureStream => ({
  fd,
  stream: fd === 1 ? 'stdout' : 'stderr',
  target: { fd, kind: 'pipe', link: 'pipe:[1]', inode: 1 },
  bytes: 0,
  writes: 0,
  lines: 0,
});
const python = detectRuntime({
  argv: ['python3', 'w.py'],
  exe: '/usr/bin/python3.11',
  comm: 'python3',
});
const cProgram = detectRuntime({ argv: ['./w'], exe: '/tmp/w', comm: 'w' });

function writes(n: number, every: number, make: (i: number) => Partial<WriteFact>): WriteFact[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i * every,
    length: 10,
    newlines: 1,
    endsWithNewline: true,
    ...make(i),
  }));
}

describe('the buffering diagnosis', () => {
  it('calls fixed 4096-byte writes holding many lines block-buffered, with the cure', () => {
    const facts = writes(10, 2_500_000, () => ({
      length: 4096,
      newlines: 60,
      endsWithNewline: false,
    }));

    const d = diagnose({ stream: pipeStream(1), writes: facts, runtime: python, watchedFor: 30e6 });

    expect(d.verdict).toBe('block-buffered');
    expect(d.headline).toBe(
      'block-buffered: 4096-byte writes every ~2.5 s; lines wait up to 2.5 s; ' +
        'this is CPython writing to a pipe: ' +
        'set PYTHONUNBUFFERED=1 in its environment, or run python -u',
    );
    expect(d.fixes.length).toBeGreaterThan(0);
  });

  it('calls one write per line line-buffered', () => {
    const facts = writes(50, 10_000, () => ({ length: 30 }));

    const d = diagnose({ stream: pipeStream(1), writes: facts, runtime: python, watchedFor: 1e6 });

    expect(d.verdict).toBe('line-buffered');
    expect(d.fixes).toEqual([]);
  });

  it('calls text and newline written apart unbuffered', () => {
    const facts = writes(40, 1000, (i) =>
      i % 2
        ? { length: 1, newlines: 1, endsWithNewline: true }
        : { length: 12, newlines: 0, endsWithNewline: false },
    );

    const d = diagnose({ stream: pipeStream(2), writes: facts, runtime: python, watchedFor: 1e6 });

    expect(d.verdict).toBe('unbuffered');
  });

  it('says a silent CPython stdout on a pipe may be waiting in its buffer', () => {
    const d = diagnose({ stream: pipeStream(1), writes: [], runtime: python, watchedFor: 40e6 });

    expect(d.verdict).toBe('idle');
    expect(d.headline).toContain(
      "no writes in 40 s; if it has printed anything, it may be waiting in CPython's buffer",
    );
    expect(d.fixes[0]).toContain('PYTHONUNBUFFERED=1');
  });

  it('calls one write holding every line at exit block-buffered', () => {
    const facts = [{ t: 0, length: 900, newlines: 60, endsWithNewline: true }];

    const d = diagnose({
      stream: pipeStream(1),
      writes: facts,
      runtime: cProgram,
      watchedFor: 60e6,
    });

    expect(d.verdict).toBe('block-buffered');
    expect(d.fixes[0]).toContain('stdbuf -oL');
  });
});
