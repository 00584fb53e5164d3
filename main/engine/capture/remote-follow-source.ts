// follow-file on any host: the remote loop of remote-follow-script.ts run through Host.spawn,
// its stdout the file's new bytes (timed as they arrive), its stderr the events.
import { hostError, runOptions } from '../host/host-command';
import { FdscopeError } from '../errors';
import type { ExitStatus, Host, HostProcess } from '../host/host';
import { silentLogger, type Logger } from '../log';
import { stopRemoteCommand } from './remote-stop';
import { createObservedClock } from './observed-clock';
import { FOLLOW_EXIT, FOLLOW_MARK, FOLLOW_SCRIPT } from './remote-follow-script';
import type { CaptureSink, CaptureSource, SourceEnd } from './source';

export interface RemoteFollowOptions {
  host: Host;
  pid: number;
  fd: number;
  /** Read the file from offset 0 rather than from its current end. */
  fromStart?: boolean;
  /** Start at this byte offset (a resumed capture); wins over fromStart. */
  offset?: number;
  /** Run as root (the host prefixes its elevation). */
  privileged?: boolean;
  /** The remote loop's sleep when nothing is new: seconds. */
  pollSeconds?: number;
  logger?: Logger;
}

const DEFAULT_POLL_SECONDS = 0.1;
const STDERR_KEEP = 16 * 1024;

/** A follow-file source on a host, with the offset it has reached (for a resume). */
export interface RemoteFollowSource extends CaptureSource {
  /** Bytes of the file read so far: where a new follow should start to miss nothing. */
  offset(): number;
}

/** Creates a follow-file source that runs on the host (method 'file', times as observed). */
export function createRemoteFollowSource(options: RemoteFollowOptions): RemoteFollowSource {
  const { host, pid, fd } = options;
  const logger = options.logger ?? silentLogger;
  const clock = createObservedClock();
  const poll = options.pollSeconds ?? DEFAULT_POLL_SECONDS;
  if (!Number.isInteger(pid) || pid < 1 || !Number.isInteger(fd) || fd < 0) {
    throw new RangeError(`expected a pid and an fd, got ${pid} and ${fd}`);
  }
  if (!(poll > 0 && poll < 60)) throw new RangeError(`expected a poll in seconds, got ${poll}`);
  const from =
    options.offset !== undefined ? String(Math.max(0, Math.floor(options.offset))) : null;
  let proc: HostProcess | null = null;
  let offset = 0;
  let endReason: string | null = null;
  let stderr = '';
  let stopping = false;
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));

  function unable(reason: string, code: FdscopeError['code'], help?: string): FdscopeError {
    return new FdscopeError(code, `unable to follow fd ${fd} of pid ${pid}`, {
      reason,
      help,
      details: stderr.trim(),
    });
  }

  function startError(status: ExitStatus): FdscopeError {
    if (status.code === FOLLOW_EXIT.noProcess) {
      return unable(`no such process on ${host.info.label}`, 'no-such-process', 'pick it again');
    }
    if (status.code === FOLLOW_EXIT.notFile) {
      return unable(`fd ${fd} is not a regular file`, 'not-capturable', 'trace it instead');
    }
    if (status.code === FOLLOW_EXIT.cannotOpen) {
      return unable(`cannot open /proc/${pid}/fd/${fd}`, 'method-unavailable', 'run as root');
    }
    const how = status.signal ? `was killed by ${status.signal}` : `exited with ${status.code}`;
    return unable(`the follow command ${how} on ${host.info.label}`, 'io');
  }

  function onStderr(sink: CaptureSink, line: string, started: () => void): void {
    if (line.startsWith(FOLLOW_MARK.start)) {
      offset = Number(line.slice(FOLLOW_MARK.start.length)) || 0;
      logger.debug('follow-file', `following on ${host.info.label}`, { pid, fd, offset });
      started();
    } else if (line.startsWith(FOLLOW_MARK.truncated)) {
      const at = line.slice(FOLLOW_MARK.truncated.length);
      offset = 0;
      const message = `file truncated at ${at} bytes; following from its new start`;
      sink.notice({ t: clock(), level: 'warning', message });
    } else if (line.startsWith(FOLLOW_MARK.end)) {
      endReason = line.slice(FOLLOW_MARK.end.length);
      if (endReason.startsWith(`fd ${fd} `)) {
        sink.notice({ t: clock(), level: 'warning', message: endReason });
      }
    } else if (stderr.length < STDERR_KEEP) {
      stderr += line + '\n';
    }
  }

  return {
    method: 'file',
    timing: 'observed',
    ended,
    offset: () => offset,
    start(sink: CaptureSink): Promise<void> {
      if (proc) return Promise.reject(new FdscopeError('internal', 'follow source started twice'));
      const where = from ?? (options.fromStart ? '0' : 'end');
      const argv = ['sh', '-c', FOLLOW_SCRIPT, 'fdscope-follow', String(pid), String(fd)];
      // stdin stays open: its end tells the remote loop to stop, whatever the host.
      const running = host.spawn([...argv, where, String(poll)], runOptions(options.privileged));
      proc = running;
      let begun = false;
      return new Promise<void>((resolve, reject) => {
        running.stdout.on('data', (bytes: Buffer) => {
          offset += bytes.length;
          sink.writes([{ t: clock(), pid, fd, bytes, full: bytes.length }]);
        });
        let partial = '';
        running.stderr.setEncoding('utf8');
        running.stderr.on('data', (text: string) => {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            onStderr(sink, line, () => {
              begun = true;
              resolve();
            });
          }
        });
        running.stdin?.on('error', () => undefined);
        void running.exited.then((status) => {
          running.stdin?.end();
          if (!begun) {
            const error = hostError(running) ?? startError(status);
            reject(error);
            settle({ reason: 'could not start', error });
            return;
          }
          if (stopping) settle({ reason: 'stopped' });
          else if (endReason) settle({ reason: endReason });
          else settle({ reason: 'read failed', error: hostError(running) ?? startError(status) });
          logger.debug('follow-file', 'ended', { pid, fd, offset });
        });
      });
    },
    async stop(): Promise<void> {
      if (!proc) {
        settle({ reason: 'stopped' });
        return;
      }
      stopping = true;
      await stopRemoteCommand(proc, ended);
    },
  };
}
