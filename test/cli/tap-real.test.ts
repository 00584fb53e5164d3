// fdscope tap, built, against real processes: the bytes it prints are the
// bytes the writer wrote in that window, and the real reader loses none.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWriter, type Writer } from '../helpers/writers';

const writers: Writer[] = [];

beforeAll(() => {
  if (!existsSync('out/main/cli.js'))
    throw new Error('out/main/cli.js is missing: run npm run build');
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.stop()));
});

function fdscope(...args: string[]) {
  const child = spawn(process.execPath, ['bin/fdscope.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FDSCOPE_LOG: 'off' },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exited = new Promise<{ code: number | null; out: Buffer; err: string }>((resolve) =>
    child.on('close', (code) =>
      resolve({ code, out: Buffer.concat(out), err: Buffer.concat(err).toString() }),
    ),
  );
  return { child, exited };
}

// Each line is one write (flushed), with bytes that are not UTF-8, so a window of the
// stream is a run of whole records that can be found in what the reader got.
const WRITER = `
import sys, time
for i in range(100000):
    sys.stdout.buffer.write(b"\\xff\\x00 record %06d\\n" % i)
    sys.stdout.flush()
    time.sleep(0.01)
    if len(sys.argv) > 1 and i + 1 >= int(sys.argv[1]):
        break
`;

function procStatusOf(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, 'utf8');
}

function absentPid(): number {
  for (let pid = 4_000_000; pid > 1; pid -= 7) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

describe('fdscope tap on real processes', () => {
  it('prints exactly the bytes a Python writer wrote to its pipe for 2 s', async () => {
    const writer = await startWriter({ language: 'python', source: WRITER, stdout: 'pipe' });
    writers.push(writer);

    const tap = fdscope('tap', String(writer.pid), '--fd', '1', '--duration', '2');
    const { code, out, err } = await tap.exited;
    await writer.waitFor((o) => o.length >= out.length + 200, 'the reader to get more');

    expect(code).toBe(0);
    expect(err).toMatch(
      new RegExp(
        `^fdscope: captured ${out.length} bytes in \\d+ writes from pid ${writer.pid} ` +
          '\\(stopped after 2 s\\)\\n$',
      ),
    );
    expect(out.length).toBeGreaterThan(50 * 17);
    expect(out.subarray(0, 2)).toEqual(Buffer.from([0xff, 0x00]));
    expect(writer.stdout().indexOf(out)).toBeGreaterThanOrEqual(0);
    const first = Number(/record (\d+)/.exec(out.toString('latin1'))![1]);
    expect(writer.stdout().toString('latin1')).toContain(
      `record ${String(first).padStart(6, '0')}`,
    );
  });

  it('ends with exit 0 and a summary when the process exits', async () => {
    const writer = await startWriter({
      language: 'python',
      source: WRITER,
      args: ['150'],
      stdout: 'pipe',
    });
    writers.push(writer);

    const { code, out, err } = await fdscope('tap', String(writer.pid), '--fd', '1').exited;

    expect(code).toBe(0);
    expect(err).toMatch(
      new RegExp(
        `^fdscope: captured \\d+ bytes in \\d+ writes from pid ${writer.pid} \\(.+\\)\\n$`,
      ),
    );
    expect(out.toString('latin1')).toContain('record 000149\n');
    expect(writer.stdout().indexOf(out)).toBeGreaterThanOrEqual(0);
  });

  it('says on stderr what the bytes on stdout miss: sendfile copies it cannot see', async () => {
    const writer = await startWriter({
      language: 'python',
      stdout: 'pipe',
      source: `
import os, tempfile, time
src = tempfile.TemporaryFile()
src.write(b"copied unseen\\n")
src.flush()
for _ in range(100):
    os.write(1, b"seen\\n")
    os.sendfile(1, src.fileno(), 0, 14)
    time.sleep(0.01)
`,
    });
    writers.push(writer);

    const { code, out, err } = await fdscope('tap', String(writer.pid), '--fd', '1').exited;

    expect(code).toBe(0);
    expect(out.toString()).toMatch(/^(seen\n)+$/);
    expect(err).toMatch(
      new RegExp(
        `^fdscope: warning: gap: 14 bytes written to fd 1 by sendfile of pid ${writer.pid} ` +
          'not visible to the tracer',
        'm',
      ),
    );
    expect(err).toMatch(
      /^fdscope: captured \d+ bytes .*\(process exited \(status 0\), \d+ bytes cut/m,
    );
  });

  it('exits 1 naming the error when the output cannot take the bytes (a full disk)', async () => {
    const writer = await startWriter({ language: 'python', source: WRITER });
    writers.push(writer);

    const { code, err } = await fdscope('tap', String(writer.pid), '-o', '/dev/full').exited;

    expect(code).toBe(1);
    expect(err).toMatch(/^fdscope: unable to write the capture to \/dev\/full: ENOSPC/m);
    expect(procStatusOf(writer.pid)).toMatch(/TracerPid:\s+0\n/);
  });

  it('prints one line and exits 1 for a pid that does not exist', async () => {
    const pid = absentPid();

    const { code, out, err } = await fdscope('tap', String(pid)).exited;

    expect(code).toBe(1);
    expect(out.length).toBe(0);
    expect(err.split('\n')).toHaveLength(2);
    expect(err).toMatch(new RegExp(`^fdscope: .*${pid}`));
  });

  it('exits 2 with one line for a bad argument', async () => {
    const { code, err } = await fdscope('tap', '1', '--duration', 'x').exited;

    expect(code).toBe(2);
    expect(err).toBe("fdscope: --duration takes a number of seconds above 0, got 'x'\n");
  });

  it('prints --help with exit 0', async () => {
    const { code, out } = await fdscope('--help').exited;

    expect(code).toBe(0);
    expect(out.toString()).toContain('fdscope tap PID [options]');
  });
});
