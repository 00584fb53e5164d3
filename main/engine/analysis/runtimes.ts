// Which runtime a process is, from its executable and command line, and how
// that runtime is told to flush its output.
import type { CapturedProcess } from '../store/capture-meta';

/** A runtime's name and the cures for its block buffering. */
export interface Runtime {
  name: string;
  /** Whether it block-buffers stdout when stdout is not a terminal. */
  blockBuffers: boolean;
  fixes: string[];
}

const RUNTIMES: { match: RegExp; runtime: Runtime }[] = [
  {
    match: /^python(\d+(\.\d+)*)?$/,
    runtime: {
      name: 'CPython',
      blockBuffers: true,
      fixes: [
        'set PYTHONUNBUFFERED=1 in its environment, or run python -u',
        'or in the code: print(..., flush=True), or sys.stdout.reconfigure(line_buffering=True)',
      ],
    },
  },
  {
    match: /^(ruby|irb)(\d+(\.\d+)*)?$/,
    runtime: { name: 'Ruby', blockBuffers: true, fixes: ['set $stdout.sync = true at start'] },
  },
  {
    match: /^perl(\d+(\.\d+)*)?$/,
    runtime: {
      name: 'Perl',
      blockBuffers: true,
      fixes: ['set $| = 1 at start (autoflush STDOUT)'],
    },
  },
  {
    match: /^java$/,
    runtime: {
      name: 'Java',
      blockBuffers: true,
      fixes: ['wrap the stream with autoflush: new PrintStream(out, true), or call flush()'],
    },
  },
  {
    match: /^(node|nodejs|bun|deno)$/,
    runtime: { name: 'Node.js', blockBuffers: false, fixes: [] },
  },
];

const C_STDIO: Runtime = {
  name: 'a C stdio program',
  blockBuffers: true,
  fixes: [
    'run it as stdbuf -oL COMMAND (glibc stdio, dynamically linked programs)',
    'or in the code: setvbuf(stdout, NULL, _IOLBF, 0), or fflush(stdout) after each line',
  ],
};

/** The runtime of a captured process; C stdio when nothing more specific is known. */
export function detectRuntime(process: CapturedProcess): Runtime {
  const names = [basename(process.exe), basename(process.argv[0] ?? ''), process.comm];
  for (const name of names) {
    const found = RUNTIMES.find((r) => r.match.test(name));
    if (found) return found.runtime;
  }
  return C_STDIO;
}

function basename(path: string): string {
  return (
    path
      .replace(/ \(deleted\)$/, '')
      .split('/')
      .pop() ?? ''
  );
}
