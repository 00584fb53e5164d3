// Small writer processes for tests: Python, shell or C, writing to a pipe whose reader (this
// process) keeps a copy, to /dev/null, to a file, or on a pty; every one is reaped by the test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type WriterLanguage = 'python' | 'shell' | 'c';

/** Where a writer's fd 1 (or fd 2) goes: a socket is one end of a relayed socketpair. */
export type Destination = 'pipe' | 'socket' | 'null' | { file: string };

export interface WriterOptions {
  language: WriterLanguage;
  /** The program: Python or sh source, or a C file's text. */
  source: string;
  args?: string[];
  /**
   * Variables added to a minimal environment (PATH, HOME, LANG). Nothing else of this process's
   * environment is passed, so PYTHONUNBUFFERED and the like reach the writer only when given.
   */
  env?: Record<string, string>;
  stdout?: Destination;
  stderr?: Destination;
  /** Run on a pty (fds 0, 1 and 2); what it writes is relayed to stdout(). */
  pty?: boolean;
  /** Start with our reading of its stdout paused, so that the pipe fills. */
  paused?: boolean;
}

export interface WriterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running writer and what its real reader has received. */
export interface Writer {
  readonly pid: number;
  /** Everything read so far from its stdout (pipe or pty). */
  stdout(): Buffer;
  stderr(): Buffer;
  /** Resumes reading a stdout started paused. */
  resume(): void;
  /** Polls until the reader's copy of stdout satisfies the check. */
  waitFor(check: (out: Buffer) => boolean, what: string, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<WriterExit>;
  /** Ends it (SIGTERM, then SIGKILL) and waits for it and its relay to be reaped. */
  stop(): Promise<void>;
}

const living = new Set<Writer>();

// Starts the writer and relays its output to us. A 'pipe' is a real pipe (os.pipe): Node's own
// child stdio is a socketpair, which a writer's runtime and strace -y would see as a socket; a
// 'socket' is a socketpair of the relay's own, so that either kind has the relay as its reader.
// On a pty, output post-processing is turned off so that the reader gets the bytes written (no
// \n -> \r\n) and comparisons stay exact. The writer's pid goes out on fd 3 once it has exec'd:
// before, its fd 1 may still be the relay's own (a socketpair to us), and a capture started then
// would take the relay for the stream.
const RELAY = `
import os, pty, select, socket, sys, termios
out_mode, err_mode, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
readers = {}
# Closed on exec: its end tells that the writer runs, with its fds in place.
exec_r, exec_w = os.pipe()
def run():
    os.closerange(3, exec_w)
    os.closerange(exec_w + 1, 1024)
    os.execvp(argv[0], argv)
if out_mode == "pty":
    pid, master = pty.fork()
    if pid == 0:
        attrs = termios.tcgetattr(1)
        attrs[1] &= ~termios.OPOST
        termios.tcsetattr(1, termios.TCSANOW, attrs)
        run()
    readers[master] = 1
else:
    def pair(m):
        return tuple(s.detach() for s in socket.socketpair()) if m == "socket" else os.pipe()
    ends = {k: pair(m) for k, m in ((1, out_mode), (2, err_mode)) if m in ("pipe", "socket")}
    pid = os.fork()
    if pid == 0:
        for k, (r, w) in ends.items():
            os.dup2(w, k)
        run()
    for k, (r, w) in ends.items():
        os.close(w)
        readers[r] = k
os.close(exec_w)
os.read(exec_r, 1)
os.close(exec_r)
os.write(3, b"%d\\n" % pid)
os.close(3)
while readers:
    ready, _, _ = select.select(list(readers), [], [])
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            del readers[fd]
            continue
        view = memoryview(data)
        while view:
            view = view[os.write(readers[fd], view):]
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
`;

/** Starts a writer; resolves once its pid is known. */
export async function startWriter(options: WriterOptions): Promise<Writer> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const opened: number[] = [];
  const stdio = (d: Destination | undefined): 'pipe' | number => {
    if (d === undefined || d === 'pipe' || d === 'socket' || options.pty) return 'pipe';
    const fd = openSync(d === 'null' ? '/dev/null' : d.file, 'a');
    opened.push(fd);
    return fd;
  };
  const mode = (d: Destination | undefined): string =>
    options.pty
      ? 'pty'
      : d === undefined
        ? 'pipe'
        : typeof d === 'string' && d !== 'null'
          ? d
          : 'keep';
  const argv = ['-c', RELAY, mode(options.stdout), mode(options.stderr), ...commandFor(options)];
  const child = spawn(pythonPath(), argv, {
    stdio: ['ignore', stdio(options.stdout), stdio(options.stderr), 'pipe'],
    env,
  });
  for (const fd of opened) closeSync(fd);
  const writer = wrap(child, options);
  living.add(writer);
  void writer.exited.then(() => living.delete(writer));
  await waitForPid(writer, child);
  return writer;
}

/** Stops every writer still running; for afterEach. */
export async function stopAllWriters(): Promise<void> {
  await Promise.all([...living].map((w) => w.stop()));
}

/** This process's children still alive (pids and names), to check that none leaked. */
export function livingChildren(parent = process.pid): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // ended while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) !== parent || state === 'Z') continue;
    found.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return found;
}

/** A process's state letter and TracerPid, from /proc/PID/status; null when it is gone. */
export function procStatus(pid: number): { state: string; tracerPid: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const state = /^State:\s+(\S)/m.exec(text)?.[1] ?? '?';
  const tracerPid = Number(/^TracerPid:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  return { state, tracerPid };
}

/** Polls a condition every 20 ms until it holds; fails after timeoutMs naming what it awaited. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let python: string | null = null;

/** The Python interpreter itself: python3 on PATH may be a wrapper script (pyenv's shim). */
export function pythonPath(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  return python;
}

function commandFor(options: WriterOptions): string[] {
  const args = options.args ?? [];
  if (options.language === 'python') return [pythonPath(), '-c', options.source, ...args];
  if (options.language === 'shell') return ['sh', '-c', options.source, 'writer', ...args];
  return [compileC(options.source), ...args];
}

/** Compiles a C writer once per source text; returns the program's path. */
export function compileC(source: string): string {
  const dir = join(tmpdir(), 'fdscope-writers');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const exe = join(dir, `w-${hash}`);
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `w-${hash}-${process.pid}.c`);
  writeFileSync(file, source);
  // Compile to a private name, then rename: two test files may compile the same writer.
  const tmp = `${exe}.${process.pid}`;
  execFileSync('cc', ['-O2', '-pthread', '-o', tmp, file]);
  execFileSync('mv', ['-f', tmp, exe]);
  return exe;
}

function wrap(child: ChildProcess, options: WriterOptions): Writer {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outLength = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    out.push(chunk);
    outLength += chunk.length;
  });
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  if (options.paused) child.stdout?.pause();
  const exited = new Promise<WriterExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const stdout = (): Buffer => {
    if (out.length > 1) out.splice(0, out.length, Buffer.concat(out, outLength));
    return out[0] ?? Buffer.alloc(0);
  };
  let pid = -1;
  let alive = true;
  void exited.then(() => (alive = false));
  const writer: Writer = {
    get pid() {
      return pid;
    },
    stdout,
    stderr: () => Buffer.concat(err),
    resume: () => child.stdout?.resume(),
    waitFor: (check, what, timeoutMs) => waitUntil(() => check(stdout()), what, timeoutMs),
    exited,
    async stop() {
      // The relay reaps the writer and then exits; while it lives, the writer's pid is ours.
      const kill = (target: number | undefined, name: NodeJS.Signals): void => {
        if (alive) signal(target, name);
      };
      kill(pid, 'SIGTERM');
      const timers = [
        setTimeout(() => kill(pid, 'SIGKILL'), 3_000),
        setTimeout(() => kill(child.pid, 'SIGKILL'), 6_000),
      ];
      await exited;
      timers.forEach(clearTimeout);
    },
    setPid: (value: number) => (pid = value),
  } as Writer & { setPid(value: number): void };
  return writer;
}

// The writer is the relay's child; the relay names it on fd 3.
async function waitForPid(writer: Writer, child: ChildProcess): Promise<void> {
  const report = child.stdio[3] as NodeJS.ReadableStream;
  let text = '';
  report.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await waitUntil(() => /^\d+\n/.test(text), 'the writer pid', 10_000);
  (writer as Writer & { setPid(value: number): void }).setPid(Number.parseInt(text, 10));
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
