// A PID namespace of the test's own (unshare, as root), holding a writer: what a container is
// to fdscope. Inside, pid 1 is sh, pid 2 the writer (fd 1 on a file, fd 2 on a pipe) and pid 3
// the cat reading that pipe, whose copy reaches this process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { waitFor } from './proc-fixtures';

export interface Namespace {
  /** Host pid of the namespace's pid 1 (the target of nsenter -t); the writer's if it is init. */
  initPid: number;
  /** What the pipe's real reader (cat) passed on: the writer's fd 2 as written. */
  piped(): Buffer;
  stop(): Promise<void>;
}

export interface NamespaceOptions {
  /** The file the writer's fd 1 goes to. */
  file: string;
  /** The writer begins once this path exists. */
  goFile: string;
  lines: number;
  intervalMs: number;
  /** Run in the namespace before the writer, e.g. to hide a program. */
  setup?: string;
  /** The writer is pid 1 itself (fd 2 then goes straight to this process, no cat). */
  writerIsInit?: boolean;
}

const WRITER = String.raw`
import os, sys, time
go, lines, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
while not os.path.exists(go):
    time.sleep(0.01)
for n in range(lines):
    os.write(1, b'out %d\n' % n)
    os.write(2, b'err %d\n' % n)
    time.sleep(interval)
time.sleep(3600)
`;

const live = new Set<ChildProcess>();
// The interpreter itself: a version manager's python3 is a shell shim that execs it later.
let python: string | null = null;

/** Starts the namespace and resolves once its pid 1, writer and reader are in place. */
export async function startNamespace(options: NamespaceOptions): Promise<Namespace> {
  const { file, goFile, lines, intervalMs } = options;
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  const writer = `"$PY" -c "$W" "$G" ${lines} ${intervalMs}`;
  const inner =
    `${options.setup ?? ''}\n` +
    (options.writerIsInit ? `exec ${writer} >"$F"\n` : `${writer} 2>&1 >"$F" | cat >&2\n`);
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', inner], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, W: WRITER, G: goFile, F: file, PY: python },
    detached: true,
  });
  live.add(child);
  const chunks: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const initPid = await waitFor(() => childOf(child.pid!), 'the namespace pid 1');
  // The writer is in place once sh has started it (after the setup, if any).
  await waitFor(
    () => (options.writerIsInit ? isPython(initPid) : childrenOf(initPid).some(isPython)),
    'the writer in the namespace',
  );
  return {
    initPid,
    piped: () => Buffer.concat(chunks),
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      live.delete(child);
    },
  };
}

function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(' ').map(Number) : [];
  } catch {
    return [];
  }
}

function childOf(pid: number): number | undefined {
  return childrenOf(pid)[0];
}

function isPython(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('python');
  } catch {
    return false;
  }
}

/** Stops every namespace still running (for afterEach). */
export async function stopAllNamespaces(): Promise<void> {
  for (const child of [...live]) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    live.delete(child);
  }
}
