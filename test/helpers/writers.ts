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

/** Where a writer's fd 1 (or fd 2) goes. */
export type Destination = 'pipe' | 'null' | { file: string };

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
  /** Run on a pty (fds 0, 1 and 2), relayed by a Python pty process to a pipe we read. */
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

// Relays a pty to stdout. Output post-processing is turned off in the child so that the
// reader gets the bytes the writer wrote (no \n -> \r\n), which keeps comparisons exact.
const PTY_RELAY = `
import os, pty, sys, termios
pid, master = pty.fork()
if pid == 0:
    attrs = termios.tcgetattr(1)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(1, termios.TCSANOW, attrs)
    os.execvp(sys.argv[1], sys.argv[1:])
os.write(2, b"pid %d\\n" % pid)
out = sys.stdout.buffer
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    out.write(data)
    out.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
`;

/** Starts a writer; resolves once its pid is known. */
export async function startWriter(options: WriterOptions): Promise<Writer> {
  const command = commandFor(options);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const argv = options.pty ? ['python3', '-c', PTY_RELAY, ...command] : command;
  const opened: number[] = [];
  const stdio = (d: Destination | undefined): 'pipe' | number => {
    if (d === undefined || d === 'pipe') return 'pipe';
    const fd = openSync(d === 'null' ? '/dev/null' : d.file, 'a');
    opened.push(fd);
    return fd;
  };
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', stdio(options.stdout), stdio(options.stderr)],
    env,
  });
  for (const fd of opened) closeSync(fd);
  const writer = wrap(child, options);
  living.add(writer);
  void writer.exited.then(() => living.delete(writer));
  await waitForPid(writer, child, options);
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

/** Polls a condition every 20 ms until it holds, failing after timeoutMs with what it waited for. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function commandFor(options: WriterOptions): string[] {
  const args = options.args ?? [];
  if (options.language === 'python') return ['python3', '-c', options.source, ...args];
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
  let pid = child.pid ?? -1;
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
      // Only while the child (or the relay that reaps the pty writer) lives: the pid stays ours.
      const kill = (name: NodeJS.Signals): void => {
        if (!alive) return;
        signal(pid, name);
        if (pid !== child.pid) signal(child.pid, name);
      };
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
    setPid: (value: number) => (pid = value),
  } as Writer & { setPid(value: number): void };
  return writer;
}

// Finds the writer's own pid: the child itself, or the pty relay's child, which it names.
async function waitForPid(writer: Writer, child: ChildProcess, options: WriterOptions) {
  if (child.pid === undefined) throw new Error(`could not start ${options.language} writer`);
  if (!options.pty) return;
  await waitUntil(() => /pid (\d+)\n/.test(writer.stderr().toString()), 'the pty writer pid');
  const pid = Number(/pid (\d+)\n/.exec(writer.stderr().toString())![1]);
  (writer as Writer & { setPid(value: number): void }).setPid(pid);
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
