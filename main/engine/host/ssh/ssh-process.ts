// A command on an SSH host as a HostProcess: one exec channel, no pty (stdout and stderr stay
// apart), streams handed out at once and fed when the channel opens, kill by the reported pid.
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { FdscopeError } from '../../errors';
import type { Logger } from '../../log';
import type { ExitStatus, HostProcess } from '../host';
import { PID_LINE } from './remote-command';

// How long a channel signal is given to work before the kill command is sent.
const SIGNAL_GRACE_MS = 300;

/** An exec channel, and how it ended, watched from the moment it opened. */
export interface OpenChannel {
  channel: ClientChannel;
  /** Resolves on the channel's close with the exit status or signal, if the server sent one. */
  closed: Promise<ExitStatus>;
}

/**
 * Starts watching a channel; call it in ssh2's exec callback itself: ssh2 may parse the exit
 * status and the close from the same packet batch before any promise continuation runs.
 */
export function watchChannel(channel: ClientChannel): OpenChannel {
  let status: ExitStatus = { code: null, signal: null };
  channel.on('exit', (code: number | null, signal?: string) => {
    status = { code: code ?? null, signal: signal ?? null };
  });
  const closed = new Promise<ExitStatus>((resolve) => channel.once('close', () => resolve(status)));
  return { channel, closed };
}

/** What a process needs from its host. */
export interface ProcessDriver {
  /** Connects if needed, prepares (sudo) and opens the channel; rejects with a user error. */
  open(): Promise<OpenChannel & { stdinPrefix?: string }>;
  /** Sends a signal to the remote pid over another exec channel. */
  signal(pid: number, signal: NodeJS.Signals): Promise<void>;
  logger: Logger;
  label: string;
}

/** A HostProcess that also says why it could not run. */
export interface SshProcess extends HostProcess {
  /** Why it never ran or was cut off (link lost), once known; null when it ran and ended. */
  readonly error: FdscopeError | null;
  /** The remote pid, once reported. */
  readonly pid: number | null;
}

/** Starts the command; the returned streams are usable at once. */
export function startSshProcess(
  argv: readonly string[],
  wantStdin: boolean,
  driver: ProcessDriver,
  linkLost: () => FdscopeError | null,
): SshProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = wantStdin ? new PassThrough() : null;
  const started = performance.now();
  let error: FdscopeError | null = null;
  let pid: number | null = null;
  let ended = false;
  let pendingSignal: NodeJS.Signals | null = null;
  let open: ClientChannel | null = null;

  const exited = new Promise<ExitStatus>((resolve) => {
    const finish = (status: ExitStatus, how: string): void => {
      ended = true;
      const ms = Math.round(performance.now() - started);
      driver.logger.debug('host:ssh', `ran ${argv.join(' ')} on ${driver.label}`, { ms, how });
      resolve(status);
    };
    driver.open().then(
      // A kill asked for meanwhile waits for the pid: closing the channel would not stop
      // a command the server has already started.
      ({ channel, closed, stdinPrefix }) => wire(channel, closed, stdinPrefix, finish),
      (failure: unknown) => {
        error =
          failure instanceof FdscopeError
            ? failure
            : new FdscopeError('ssh-connect', `unable to run ${argv[0]} on ${driver.label}`, {
                reason: failure instanceof Error ? failure.message : String(failure),
                cause: failure,
              });
        // As ssh itself does: code 255 and the reason on stderr when the command never ran.
        stdout.end();
        stderr.end(`fdscope: ${error.oneLine()}\n`);
        finish({ code: 255, signal: null }, `failed: ${error.oneLine()}`);
      },
    );
  });

  function wire(
    channel: ClientChannel,
    closedWith: Promise<ExitStatus>,
    stdinPrefix: string | undefined,
    finish: (status: ExitStatus, how: string) => void,
  ): void {
    open = channel;
    let status: ExitStatus = { code: null, signal: null };
    // Writing stdin after the link dropped errs on the channel; the exit says what happened.
    channel.on('error', (error: Error) => {
      driver.logger.debug('host:ssh', `channel of ${argv[0]}: ${error.message}`);
    });
    channel.pipe(stdout);
    channel.stderr.pipe(pidReader((found) => onPid(found))).pipe(stderr);
    if (stdinPrefix !== undefined) channel.write(stdinPrefix);
    if (stdin) stdin.pipe(channel);
    // Without a stdin the command reads /dev/null (see remoteCommand); the channel stays
    // writable so that a signal can still be sent over it. sudo's password needs an EOF after.
    else if (stdinPrefix !== undefined) channel.end();
    let streamsEnded = 0;
    let closed = false;
    const maybeFinish = (): void => {
      if (!closed || streamsEnded < 2) return;
      const lost = status.code === null && status.signal === null ? linkLost() : null;
      if (lost) error = lost;
      finish(status, lost ? 'link lost' : `code ${status.code} signal ${status.signal}`);
    };
    // ssh2 ends both streams on close, a lost link included; like a local child's, they end
    // once their reader has taken everything.
    channel.once('end', () => (streamsEnded++, maybeFinish()));
    channel.stderr.once('end', () => (streamsEnded++, maybeFinish()));
    void closedWith.then((final) => {
      status = final;
      closed = true;
      maybeFinish();
    });
  }

  function onPid(found: number): void {
    pid = found;
    if (pendingSignal) killByPid(pendingSignal, 0);
  }

  // OpenSSH (7.9 and later) delivers a channel signal to the command's process group, even
  // where MaxSessions leaves no room for another channel; other servers ignore it, so a kill
  // by pid over a second channel follows if the command is still there a moment later.
  function sendSignal(signal: NodeJS.Signals): void {
    const viaChannel = open?.writable === true;
    if (viaChannel) open!.signal(signal.replace(/^SIG/, ''));
    if (pid === null) pendingSignal = signal;
    else killByPid(signal, viaChannel ? SIGNAL_GRACE_MS : 0);
  }

  function killByPid(signal: NodeJS.Signals, delayMs: number): void {
    pendingSignal = null;
    const target = pid!;
    setTimeout(() => {
      if (ended) return;
      driver.signal(target, signal).catch((failure: unknown) => {
        driver.logger.warn('host:ssh', `could not send ${signal} to ${target}`, {
          error: String(failure),
        });
      });
    }, delayMs);
  }

  return {
    argv,
    stdout,
    stderr,
    stdin,
    exited,
    get error() {
      return error;
    },
    get pid() {
      return pid;
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!ended) sendSignal(signal);
    },
  };
}

/**
 * Takes the `fdscope-pid N` line out of stderr and passes the rest through. It is the first
 * line unless the login shell's startup files wrote to stderr first, so the first 4 KiB are
 * searched.
 */
export function pidReader(onPid: (pid: number) => void): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (head === null) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      const match = PID_LINE.exec(head.toString('latin1'));
      if (!match && head.length < 4096) return done();
      const rest = match
        ? Buffer.concat([
            head.subarray(0, match.index),
            head.subarray(match.index + match[0].length),
          ])
        : head;
      head = null;
      if (match) onPid(Number(match[1]));
      done(null, rest.length > 0 ? rest : undefined);
    },
    flush(done: TransformCallback) {
      const rest = head;
      head = null;
      done(null, rest && rest.length > 0 ? rest : undefined);
    },
  });
}
