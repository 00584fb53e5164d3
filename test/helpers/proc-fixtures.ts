// Real target processes for discovery and capture tests: a python parent sets up fd 1 (pipe
// with a reader, file, pty, socket...), forks the target onto it, reports the pids, and kills
// everything it started when the test closes its stdin, or when the test process dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WriteEvent } from '../../main/engine/capture/source';
import type { CaptureNotice } from '../../preload/contract';

/** Where the target's fd 1 points. */
export type FixtureStdout = 'pipe' | 'file' | 'append' | 'null' | 'pty' | 'socket' | 'deleted';

/** What the target writes to fd 1: numbered lines, each one os.write(). */
export interface FixtureWrites {
  /** Lines to write, then exit; 0 writes forever. */
  lines: number;
  intervalMs: number;
  /** Each line is `${prefix} ${n}`, padded with '.' to `width` bytes when given. */
  prefix?: string;
  width?: number;
  /** Wait for this path to exist before the first line. */
  waitFor?: string;
}

export interface FixtureSpec {
  stdout: FixtureStdout;
  /** The file for 'file', 'append' and 'deleted'. */
  path?: string;
  /** A comm to give the target (at most 15 bytes). */
  comm?: string;
  writes?: FixtureWrites;
  /** For 'pipe': the reader saves what it reads here (else to /dev/null). */
  readerOut?: string;
  /** For 'pipe': the reader sleeps this long between reads, to be slow. */
  readerDelayMs?: number;
}

export interface Fixture {
  pid: number;
  readerPid?: number;
  /** Closes everything the fixture started and waits for it to be gone. */
  close(): Promise<void>;
}

const PARENT = String.raw`
import json, os, select, signal, socket, sys, time
spec = json.loads(sys.argv[1])
kind = spec['stdout']
children = []
keep = []

def child_common(out_fd, ready):
    null = os.open('/dev/null', os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(null, 2)
    os.closerange(3, ready)
    os.closerange(ready + 1, 4096)

def writer_loop():
    w = spec.get('writes')
    if not w:
        while True:
            time.sleep(1000)
    if w.get('waitFor'):
        while not os.path.exists(w['waitFor']):
            time.sleep(0.01)
    n = 0
    while w['lines'] == 0 or n < w['lines']:
        n += 1
        line = '%s %d' % (w.get('prefix', 'line'), n)
        if w.get('width'):
            line = line.ljust(w['width'] - 1, '.')
        os.write(1, (line + '\n').encode())
        time.sleep(w['intervalMs'] / 1000.0)
    os._exit(0)

def fork_target(out_fd):
    # The pid is reported only once the child has its fds and comm in place.
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        child_common(out_fd, ready_w)
        if spec.get('comm'):
            with open('/proc/self/comm', 'w') as f:
                f.write(spec['comm'])
        os.write(ready_w, b'.')
        os.close(ready_w)
        writer_loop()
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)
    children.append(pid)
    return pid

def fork_reader(r):
    out = spec.get('readerOut') or '/dev/null'
    pid = os.fork()
    if pid == 0:
        o = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        null = os.open('/dev/null', os.O_RDWR)
        os.dup2(r, 0); os.dup2(o, 1); os.dup2(null, 2)
        os.closerange(3, 4096)
        delay = spec.get('readerDelayMs', 0) / 1000.0
        while True:
            data = os.read(0, 65536)
            if not data:
                os._exit(0)
            os.write(1, data)
            if delay:
                time.sleep(delay)
    children.append(pid)
    return pid

info = {}
if kind == 'pipe':
    r, w = os.pipe()
    info['readerPid'] = fork_reader(r)
    info['pid'] = fork_target(w)
    os.close(r); os.close(w)
elif kind in ('file', 'append', 'deleted'):
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if kind == 'append' else os.O_TRUNC)
    fd = os.open(spec['path'], flags, 0o644)
    info['pid'] = fork_target(fd)
    os.close(fd)
    if kind == 'deleted':
        os.unlink(spec['path'])
elif kind == 'null':
    fd = os.open('/dev/null', os.O_WRONLY)
    info['pid'] = fork_target(fd)
elif kind == 'pty':
    import pty
    master, slave = pty.openpty()
    info['pid'] = fork_target(slave)
    os.close(slave)
    keep.append(master)
elif kind == 'socket':
    a, b = socket.socketpair()
    info['pid'] = fork_target(a.fileno())
    a.close()
    keep.append(b)

sys.stdout.write(json.dumps(info) + '\n')
sys.stdout.flush()
# Until the test closes stdin: reap, and drain a pty so its writer never blocks.
while True:
    ready, _, _ = select.select([0] + keep[:1] if kind == 'pty' else [0], [], [], 0.1)
    if 0 in ready and not os.read(0, 4096):
        break
    for fd in ready:
        if fd != 0:
            try: os.read(fd, 65536)
            except OSError: pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0: pass
    except ChildProcessError:
        pass
for pid in children:
    try: os.kill(pid, signal.SIGKILL)
    except ProcessLookupError: pass
for pid in children:
    try: os.waitpid(pid, 0)
    except ChildProcessError: pass
`;

const live = new Set<ChildProcess>();

/** Starts a target as the spec says and resolves once its pids are known. */
export async function startFixture(spec: FixtureSpec): Promise<Fixture> {
  const parent = spawn('python3', ['-c', PARENT, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  live.add(parent);
  const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
  const line = await firstLine(parent);
  const info = JSON.parse(line) as { pid: number; readerPid?: number };

  return {
    ...info,
    async close() {
      parent.stdin!.end();
      const timeout = setTimeout(() => parent.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timeout);
      live.delete(parent);
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early (code ${code})`)));
  });
}

/** Closes every fixture still open (for afterEach), so no test leaves a process behind. */
export async function closeAllFixtures(): Promise<void> {
  for (const parent of [...live]) {
    parent.stdin!.end();
    if (parent.exitCode === null && parent.signalCode === null) {
      await new Promise((resolve) => parent.once('exit', resolve));
    }
    live.delete(parent);
  }
}

/** Polls until check() returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-test-'));
  return {
    dir,
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True while a pid is alive (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A sink that keeps everything a source delivers, for assertions. */
export interface CollectingSink {
  events: WriteEvent[];
  notices: CaptureNotice[];
  writes(events: WriteEvent[]): void;
  notice(notice: CaptureNotice): void;
  /** Every byte captured so far, in order. */
  bytes(): Buffer;
  /** The complete lines captured so far. */
  lines(): string[];
}

/** Creates a sink that collects writes and notices. */
export function collectingSink(): CollectingSink {
  const sink: CollectingSink = {
    events: [],
    notices: [],
    writes: (events) => void sink.events.push(...events),
    notice: (notice) => void sink.notices.push(notice),
    bytes: () => Buffer.concat(sink.events.map((e) => e.bytes)),
    lines: () => completeLines(sink.bytes()),
  };
  return sink;
}

/** The complete (newline-ended) lines of some bytes, without their newlines. */
export function completeLines(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .slice(0, -1);
}

/** The numbers of lines like "tick 12", in order. */
export function lineNumbers(lines: string[]): number[] {
  return lines.map((line) => Number(/^\S+ (\d+)/.exec(line)?.[1] ?? NaN));
}
