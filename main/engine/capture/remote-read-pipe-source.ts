// read-pipe on any host: `cat /proc/PID/fd/N` run through Host.spawn. Every byte goes to
// exactly one reader, so, as locally, this runs only when the user has confirmed it.
import { hostError, runOptions } from '../host/host-command';
import type { FdTarget } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import { refuseUnlessPipe } from './pipe-target';
import type { Host, HostProcess } from '../host/host';
import { silentLogger, type Logger } from '../log';
import { stopRemoteCommand } from './remote-stop';
import { createObservedClock } from './observed-clock';
import type { CaptureSink, CaptureSource, SourceEnd } from './source';

export interface RemoteReadPipeOptions {
  host: Host;
  pid: number;
  fd: number;
  /** fd N as discovery saw it: its kind and its readers, for the refusal and the warning. */
  target: FdTarget;
  /** The user accepted that what this reads, the pipe's real reader will not get. */
  confirmed: boolean;
  privileged?: boolean;
  logger?: Logger;
}

const NOT_A_PIPE = 4;
const STARTED = 'fdscope-start';

// The check is made on the host, just before reading: fd N may have changed since discovery.
// The stdin watcher ends cat when the capture stops or the link drops.
const READ_PIPE_SCRIPT = `f=/proc/$1/fd/$2
[ -e /proc/$1 ] || { echo "no such process: $1" >&2; exit 3; }
[ -p "$f" ] || { echo "fd $2 of $1 is not a pipe" >&2; exit ${NOT_A_PIPE}; }
exec 5<&0
{ cat <&5; kill -s TERM $$; } >/dev/null 2>&1 &
exec 5<&-
echo ${STARTED} >&2
exec cat "$f"
`;

/** Creates a read-pipe source that reads on the host (method 'pipe', times as observed). */
export function createRemoteReadPipeSource(options: RemoteReadPipeOptions): CaptureSource {
  const { host, pid, fd, target } = options;
  const logger = options.logger ?? silentLogger;
  const clock = createObservedClock();
  let proc: HostProcess | null = null;
  let stopping = false;
  let stderr = '';
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));
  const message = `unable to read fd ${fd} of pid ${pid}`;

  function check(): string {
    refuseUnlessPipe(target, fd, message);
    const readers = (target.readers ?? []).map((r) => `${r.comm || '?'} (pid ${r.pid})`);
    const who = readers.length ? readers.join(', ') : 'a process fdscope cannot see';
    if (!options.confirmed) {
      throw new FdscopeError('pipe-needs-confirm', `reading fd ${fd} of pid ${pid} needs consent`, {
        reason:
          `the pipe's reader is ${who}; output will be split between them: ` +
          'each byte goes to only one of the two',
        help:
          'confirm to read the pipe anyway (the CLI: --yes-steal-pipe), ' +
          'or trace the process instead (nothing taken)',
      });
    }
    return who;
  }

  return {
    method: 'pipe',
    timing: 'observed',
    ended,
    start(sink: CaptureSink): Promise<void> {
      if (proc) return Promise.reject(new FdscopeError('internal', 'read-pipe started twice'));
      let who: string;
      try {
        who = check();
      } catch (error) {
        settle({ reason: 'could not start', error: error as FdscopeError });
        return Promise.reject(error);
      }
      const argv = ['sh', '-c', READ_PIPE_SCRIPT, 'fdscope-read-pipe', String(pid), String(fd)];
      const running = host.spawn(argv, runOptions(options.privileged));
      proc = running;
      let begun = false;
      return new Promise<void>((resolve, reject) => {
        running.stdout.on('data', (bytes: Buffer) => {
          sink.writes([{ t: clock(), pid, fd, bytes, full: bytes.length }]);
        });
        running.stderr.setEncoding('utf8');
        running.stderr.on('data', (text: string) => {
          if (!begun && (stderr + text).includes(STARTED)) {
            begun = true;
            sink.notice({
              t: clock(),
              level: 'warning',
              message:
                `reading the pipe beside ${who}: ` + 'this capture holds only what it took from it',
            });
            resolve();
          }
          stderr = (stderr + text).slice(-16 * 1024);
        });
        running.stdin?.on('error', () => undefined);
        void running.exited.then((status) => {
          running.stdin?.end();
          const details = stderr.replace(STARTED, '').trim();
          if (!begun) {
            const code = status.code === NOT_A_PIPE ? 'not-capturable' : 'method-unavailable';
            const error =
              hostError(running) ??
              new FdscopeError(code, message, {
                reason: details || `the read command exited with ${status.code}`,
              });
            reject(error);
            settle({ reason: 'could not start', error });
          } else if (stopping) {
            settle({ reason: 'stopped' });
          } else if (status.code === 0) {
            // EOF: every write end is closed. That is the normal end of a pipe, not a failure.
            settle({ reason: 'writer closed' });
          } else {
            const error = new FdscopeError('io', message, { reason: details || 'cat failed' });
            settle({ reason: 'read failed', error });
          }
          logger.debug('read-pipe', 'ended', { pid, fd, code: status.code });
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
