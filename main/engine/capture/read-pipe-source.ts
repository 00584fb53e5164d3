// read-pipe: opens the pipe on a process's fd as a second reader. Every byte goes to exactly
// one reader, so this takes output away from the real one: it runs only when confirmed.
import { closeSync, constants, fstatSync, openSync, readlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import type { FdTarget } from '../../../preload/contract';
import { getLocalProcess } from '../discovery/local-discovery';
import { FdscopeError } from '../errors';
import { refuseUnlessPipe } from './pipe-target';
import { silentLogger, type Logger } from '../log';
import { createObservedClock } from './observed-clock';
import type { CaptureSink, CaptureSource, SourceEnd } from './source';

export interface ReadPipeOptions {
  pid: number;
  fd: number;
  /** The user accepted that what this reads, the pipe's real reader will not get. */
  confirmed: boolean;
  logger?: Logger;
}

/** Creates a read-pipe source for fd N of a process (method 'pipe', times as observed). */
export function createReadPipeSource(options: ReadPipeOptions): CaptureSource {
  const { pid, fd } = options;
  const logger = options.logger ?? silentLogger;
  const clock = createObservedClock();
  let socket: Socket | null = null;
  let started = false;
  let done = false;
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));

  function finish(end: SourceEnd): void {
    if (done) return;
    done = true;
    logger.debug('read-pipe', `ended: ${end.reason}`, { pid, fd });
    settle(end);
  }

  function begin(sink: CaptureSink): void {
    const target = pipeTarget(pid, fd);
    const readers = describeReaders(target);
    if (!options.confirmed) {
      throw new FdscopeError('pipe-needs-confirm', `reading fd ${fd} of pid ${pid} needs consent`, {
        reason:
          `the pipe's reader is ${readers}; output will be split between them: ` +
          'each byte goes to only one of the two',
        help:
          'confirm to read the pipe anyway (the CLI: --yes-steal-pipe), ' +
          'or trace the process instead (nothing taken)',
      });
    }

    socket = openPipe(pid, fd);
    sink.notice({
      t: clock(),
      level: 'warning',
      message: `reading the pipe beside ${readers}: this capture holds only what it took from it`,
    });
    socket.on('data', (bytes: Buffer) => {
      sink.writes([{ t: clock(), pid, fd, bytes, full: bytes.length }]);
    });
    // EOF: every write end is closed. That is the normal end of a pipe, not a failure.
    socket.on('end', () => finish({ reason: 'writer closed' }));
    socket.on('error', (error) => {
      const failure = new FdscopeError('io', `unable to read fd ${fd} of pid ${pid}`, {
        reason: error.message,
        cause: error,
      });
      finish({ reason: 'read failed', error: failure });
    });
    socket.on('close', () => finish({ reason: 'writer closed' }));
  }

  return {
    method: 'pipe',
    timing: 'observed',
    ended,
    async start(sink: CaptureSink): Promise<void> {
      if (started) throw new FdscopeError('internal', 'read-pipe source started twice');
      started = true;
      try {
        begin(sink);
      } catch (error) {
        finish({ reason: 'could not start', error: error as FdscopeError });
        throw error;
      }
    },
    async stop(): Promise<void> {
      // Closes only our read end; the writer and its real reader go on as before.
      socket?.destroy();
      finish({ reason: 'stopped' });
    },
  };
}

function pipeTarget(pid: number, fd: number): FdTarget {
  const proc = getLocalProcess(pid);
  const target = proc.fds.find((one) => one.fd === fd);
  const message = `unable to read fd ${fd} of pid ${pid}`;
  if (!target) {
    throw new FdscopeError('not-capturable', message, {
      reason: `its fds are not readable: ${proc.unreadable ?? 'unknown'}`,
    });
  }
  refuseUnlessPipe(target, fd, message);
  return target;
}

function describeReaders(target: FdTarget): string {
  const readers = target.readers ?? [];
  if (readers.length === 0) return 'a process fdscope cannot see';
  return readers.map((r) => `${r.comm || '?'} (pid ${r.pid})`).join(', ');
}

function openPipe(pid: number, fd: number): Socket {
  const path = `/proc/${pid}/fd/${fd}`;
  let handle: number;
  try {
    // Non-blocking, so libuv can poll it; opening an anonymous pipe through /proc never waits,
    // since the process itself holds the write end.
    handle = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new FdscopeError('method-unavailable', `unable to open ${path}`, {
      reason: (error as Error).message,
      cause: error,
    });
  }
  if (!fstatSync(handle).isFIFO()) {
    // fd N moved between the check and the open: do not read whatever it became.
    closeSync(handle);
    throw new FdscopeError('not-capturable', `unable to read fd ${fd} of pid ${pid}`, {
      reason: `fd ${fd} changed to ${readLinkOr(path)}`,
    });
  }
  return new Socket({ fd: handle, readable: true, writable: false });
}

function readLinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return 'something else';
  }
}
