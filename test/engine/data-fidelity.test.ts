// Data as it is (C03, C04, C06, C18's flood): real writers on a regular file, captured by
// follow-file into the store; the store, the raw and text exports and the raw log's rendering
// must give back what was written.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo, LogLine } from '../../preload/contract';
import { createEngine } from '../../main/engine/create-engine';
import type { Engine } from '../../main/engine/engine';
import { isoMicros } from '../../main/engine/export/time-format';
import { renderLogLine } from '../../renderer/src/lib/log-line';
import { startWriter, stopAllWriters, type WriterOptions } from '../helpers/writers';

let engine: Engine;
let dir: string;
let serial = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-data-'));
  engine = createEngine({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await engine.close();
  await stopAllWriters();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Python writers wait for a go file (argv[1]) so the capture is running before the first byte;
// each os.write is one write(2) of exactly those bytes (a regular file takes them whole).
const GO = 'import os, sys, time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.005)\n';

interface Captured {
  id: string;
  info: CaptureInfo;
  /** The writer's file: what it wrote, byte for byte. */
  written: Buffer;
  lines(from: number, count: number, maxBytes?: number): Promise<LogLine[]>;
  exportRaw(): Promise<Buffer>;
  exportText(): Promise<Buffer>;
}

/** Runs a writer on a file, captures it with follow-file from the start until it exits. */
async function capture(
  writer: Omit<WriterOptions, 'stdout' | 'args'>,
  during?: (id: string) => Promise<void>,
): Promise<Captured> {
  serial += 1;
  const file = join(dir, `out-${serial}.log`);
  const go = join(dir, `go-${serial}`);
  const w = await startWriter({ ...writer, args: [go], stdout: { file } });
  const started = await engine.handle('capture:start', {
    hostId: 'local',
    pid: w.pid,
    fds: [1],
    method: 'file',
    fromStart: true,
  });
  writeFileSync(go, '');
  await during?.(started.id);
  await w.exited;
  const id = started.id;
  const info = await untilEnded(id);
  const exported = async (format: 'raw' | 'text') => {
    const path = join(dir, `export-${serial}.${format}`);
    await engine.handle('capture:export', { id, format, fds: [1], path });
    return readFileSync(path);
  };
  return {
    id,
    info,
    written: readFileSync(file),
    lines: async (from, count, maxBytes) =>
      (await engine.handle('capture:lines', { id, from, count, maxBytes })).lines,
    exportRaw: () => exported('raw'),
    exportText: () => exported('text'),
  };
}

/** Polls a capture until it has ended (its writer exited). */
async function untilEnded(id: string): Promise<CaptureInfo> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const info = await engine.handle('capture:get', { id });
    if (info.state === 'ended') return info;
    if (Date.now() > deadline) throw new Error(`capture ${id} did not end`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Checks the store and the raw export against the writer's bytes. */
async function expectExact(c: Captured, expected: Buffer, lines: number): Promise<void> {
  expect(sha(c.written)).toBe(sha(expected));
  expect(sha(await c.exportRaw())).toBe(sha(expected));
  expect(c.info).toMatchObject({ bytes: expected.length, lines, endReason: 'process exited' });
  const stored = await c.lines(0, lines + 1, expected.length);
  expect(stored.length).toBe(lines);
  expect(sha(Buffer.concat(stored.map((l) => l.bytes)))).toBe(sha(expected));
}

describe('data as it is, through follow-file, the store and the exports', () => {
  it('keeps binary bytes, NUL, invalid UTF-8 and CRLF, and shows them readably', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const expected = Buffer.concat([
      Buffer.from('crlf line\r\n'),
      Buffer.from([0x6e, 0x75, 0x6c, 0x00, 0x00, 0x21, 0x0a]),
      Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0xe2, 0x82, 0xff, 0xfe, 0x0a]),
      all,
      all,
      Buffer.from('tail without newline'),
    ]);
    const hex = expected.toString('hex');

    const c = await capture({
      language: 'python',
      source: `${GO}os.write(1, bytes.fromhex("${hex}"))\n`,
    });

    await expectExact(c, expected, 6);
    const shown = (await c.lines(0, 3)).map((l) => renderLogLine(l).text);
    expect(shown).toEqual(['crlf line', 'nul\\x00\\x00!', 'bad\\xC3(\\xE2\\x82\\xFF\\xFE']);
    // Line 4 holds bytes 0x0B-0xFF then 0x00-0x0A: every byte >= 0x80 is shown escaped.
    const binary = renderLogLine((await c.lines(4, 1))[0]);
    expect(binary.text).not.toContain('\ufffd');
    for (let b = 0x80; b <= 0xff; b++) {
      expect(binary.text).toContain(`\\x${b.toString(16).toUpperCase()}`);
    }
    expect(binary.text).toContain('\\x00\\x01\\x02');
  });

  it('C03: shows a \\r progress bar live before its newline, and in its final state', async () => {
    const source = `${GO}
for i in range(1, 21):
    os.write(1, ("\\r%3d%% " % (i * 5)).encode() + "\u2588".encode() * i)
    time.sleep(0.05)
os.write(1, b"\\n")
`;
    let live: LogLine | undefined;
    const c = await capture({ language: 'python', source }, async (id) => {
      // Mid-way, the open line already holds the redraws so far.
      const deadline = Date.now() + 5000;
      while (!live && Date.now() < deadline) {
        const [line] = (await engine.handle('capture:lines', { id, from: 0, count: 1 })).lines;
        if (line && !line.complete && line.length > 40) live = line;
        else await new Promise((r) => setTimeout(r, 20));
      }
    });
    const expected = Buffer.concat([
      ...Array.from({ length: 20 }, (_, k) =>
        Buffer.from(`\r${String((k + 1) * 5).padStart(3)}% ${'\u2588'.repeat(k + 1)}`),
      ),
      Buffer.from('\n'),
    ]);

    await expectExact(c, expected, 1);
    expect(live).toBeDefined();
    expect(renderLogLine(live!).text).toMatch(/^ +\d+% █+$/);
    // Each follow-file read is one write; a starved reader may see two redraws at once.
    expect(c.info.writes).toBeGreaterThan(1);
    const [done] = await c.lines(0, 1);
    expect(renderLogLine(done).text).toBe(`100% ${'█'.repeat(20)}`);
  });

  it.each([
    ['', 60_001],
    [' and a lone 0xFF', 60_002],
  ])('C04: keeps 20,000 "─" cut by 1,000-byte writes%s whole, with no U+FFFD', async (_, size) => {
    const lone = size === 60_002;
    const source = `${GO}
data = "\u2500".encode() * 20000
data = data[:30000] + b"\\xff" + data[30000:] if ${lone ? 'True' : 'False'} else data
data += b"\\n"
for at in range(0, len(data), 1000):
    os.write(1, data[at:at + 1000])
`;
    const c = await capture({ language: 'python', source });
    const chars = Buffer.from('─'.repeat(20_000));
    const expected = Buffer.concat(
      lone
        ? [
            chars.subarray(0, 30_000),
            Buffer.from([0xff]),
            chars.subarray(30_000),
            Buffer.from('\n'),
          ]
        : [chars, Buffer.from('\n')],
    );

    await expectExact(c, expected, 1);
    expect(c.info.writes).toBeGreaterThanOrEqual(1);
    const [line] = await c.lines(0, 1, 1 << 20);
    const shown = renderLogLine(line);
    expect(shown.text).not.toContain('\ufffd');
    expect(shown.text).toBe(
      lone ? `${'─'.repeat(10_000)}\\xFF${'─'.repeat(10_000)}` : '─'.repeat(20_000),
    );
    // A fetch capped in the middle of a character shows no broken half of it either.
    const capped = renderLogLine((await c.lines(0, 1, 1000))[0]);
    expect(capped.text).toBe('─'.repeat(333));
    expect(capped.moreBytes).toBe(size - 999);
  });

  it('C06: counts a 16,401-byte line and a 1 MiB line of 64 KiB writes as two lines', async () => {
    const source = `${GO}
os.write(1, b"a" * 16400 + b"\\n")
time.sleep(0.05)
for _ in range(16):
    os.write(1, b"b" * 65536)
    time.sleep(0.01)
os.write(1, b"\\n")
`;
    const c = await capture({ language: 'python', source });
    const expected = Buffer.concat([
      Buffer.from('a'.repeat(16_400) + '\n'),
      Buffer.from('b'.repeat(1 << 20) + '\n'),
    ]);

    await expectExact(c, expected, 2);
    const lines = await c.lines(0, 2, 16);
    expect(lines.map((l) => [l.length, l.complete])).toEqual([
      [16_401, true],
      [(1 << 20) + 1, true],
    ]);
    // A timestamped export stamps each line once, at the time of its first byte.
    const text = await c.exportText();
    const stamped = lines.map(
      (l, i) => `${isoMicros(l.t)} stdout ${'ab'[i].repeat(l.length - 1)}\n`,
    );
    expect(sha(text)).toBe(sha(Buffer.from(stamped.join(''))));
    // Follow-file stamps a line with the read that saw its first byte: one read may see both.
    expect(lines[1].t).toBeGreaterThanOrEqual(lines[0].t);
  });

  it('keeps a single 10 MB line whole, and the raw log fetches only its start', async () => {
    const c = await capture({
      language: 'python',
      source: `${GO}os.write(1, bytes(range(32, 127)) * 110376 + b"\\n")\n`,
    });
    const expected = Buffer.concat([
      Buffer.from(
        Buffer.from(Array.from({ length: 95 }, (_, i) => i + 32))
          .toString()
          .repeat(110_376),
      ),
      Buffer.from('\n'),
    ]);

    await expectExact(c, expected, 1);
    expect(expected.length).toBe(10_485_721);
    const [line] = await c.lines(0, 1);
    expect(line.bytes.length).toBe(64 * 1024);
    expect(renderLogLine(line).moreBytes).toBe(expected.length - 64 * 1024);
  });

  it('C18: keeps every byte of a flood of 1-byte writes', async () => {
    const source = `
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  struct stat st;
  while (stat(argv[1], &st) != 0) usleep(5000);
  for (int i = 0; i < 300000; i++) {
    char c = i % 61 == 60 ? '\\n' : (char)('0' + i % 61 % 10);
    if (write(1, &c, 1) != 1) return 1;
  }
  return 0;
}
`;
    const c = await capture({ language: 'c', source });
    const expected = Buffer.from(
      Array.from({ length: 300_000 }, (_, i) => (i % 61 === 60 ? 0x0a : 0x30 + ((i % 61) % 10))),
    );

    await expectExact(c, expected, Math.floor(300_000 / 61) + 1);
    expect(c.info.writes).toBeLessThan(300_000);
  });
});
