// Runs a short command to its end and keeps its output: for probes (sudo, clock).
import type { HostProcess } from '../host';

export interface Collected {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Reads a process's output to the end, writing `input` to its stdin first when given. */
export async function collect(proc: HostProcess, input?: string): Promise<Collected> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (d: Buffer) => out.push(d));
  proc.stderr.on('data', (d: Buffer) => err.push(d));
  if (proc.stdin) proc.stdin.end(input ?? '');
  const status = await proc.exited;
  return {
    ...status,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}
