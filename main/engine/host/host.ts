// Where commands run. Local now; SSH and command wrappers implement the same shape.
import type { Readable, Writable } from 'node:stream';
import type { HostInfo } from '../../../preload/contract';

export interface RunOptions {
  /** Give the command a stdin to write to; otherwise it reads /dev/null. */
  stdin?: boolean;
  env?: Record<string, string>;
  /**
   * The command needs root. A host whose user is not root prefixes its elevation (an SSH host:
   * `sudo -n`, or sudo reading the password on stdin); this machine and command hosts run it as
   * they are, their user being the one the wrapper gives.
   */
  privileged?: boolean;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A command running on a host, its output streamed. */
export interface HostProcess {
  readonly argv: readonly string[];
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | null;
  /** Resolves when the command has ended and its output is drained. */
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal (SIGTERM by default); a no-op once it has ended. */
  kill(signal?: NodeJS.Signals): void;
}

export interface Host {
  readonly info: HostInfo;
  /** Starts a command (argv, no shell) on the host. */
  spawn(argv: readonly string[], options?: RunOptions): HostProcess;
}
