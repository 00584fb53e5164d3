// follow-file: reads what a process appends to the file on its fd, through /proc/PID/fd/N,
// so a deleted or renamed file is followed by its inode, not by a path.
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import { statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { FdscopeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createObservedClock } from './observed-clock';
import { processAlive, readStartTicks } from './proc-identity';
import type { CaptureSink, CaptureSource, SourceEnd, WriteEvent } from './source';

export interface FollowFileOptions {
  pid: number;
  fd: number;
  /** Read the file from offset 0 rather than from its current end. */
  fromStart?: boolean;
  logger?: Logger;
  /** The fallback poll, which also checks the process and the fd: ms. */
  pollMs?: number;
}

// One read per chunk; a drain yields to the event loop after BUDGET so a flood cannot starve
// the rest of the engine.
const CHUNK_BYTES = 64 * 1024;
const DRAIN_BUDGET_BYTES = 4 * 1024 * 1024;
const DEFAULT_POLL_MS = 250;

/** Creates a follow-file source for fd N of a process (method 'file', times as observed). */
export function createFollowFileSource(options: FollowFileOptions): CaptureSource {
  const { pid, fd } = options;
  const logger = options.logger ?? silentLogger;
  const fdPath = `/proc/${pid}/fd/${fd}`;
  const clock = createObservedClock();
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let sink: CaptureSink | null = null;
  let file = -1;
  let identity = { dev: 0, ino: 0 };
  let startTicks = 0;
  let offset = 0;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let scheduled = false;
  let done = false;
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));

  function open(): void {
    const link = readLink();
    startTicks = readStartTicks(pid) ?? 0;
    // stat() follows the link without opening: opening a pipe would make us one of its
    // readers, and a socket or terminal has no business being opened at all.
    if (!statTarget().isFile()) {
      throw unable(`follow-file needs a regular file, and fd ${fd} is ${link}`, 'not-capturable');
    }
    try {
      // O_NONBLOCK: should fd N turn into a FIFO between the stat and the open, never hang.
      file = openSync(fdPath, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (error) {
      throw unable(`cannot open ${fdPath} (${link})`, 'method-unavailable', error);
    }
    const st = fstatSync(file);
    if (!st.isFile()) {
      closeSync(file);
      file = -1;
      throw unable(`follow-file needs a regular file, and fd ${fd} is ${link}`, 'not-capturable');
    }
    identity = { dev: st.dev, ino: st.ino };
    offset = options.fromStart ? 0 : st.size;
    logger.debug('follow-file', `following ${link}`, { pid, fd, offset });
  }

  function readLink(): string {
    try {
      return readlinkSync(fdPath);
    } catch (error) {
      if (!processAlive(pid, 0)) {
        throw new FdscopeError('no-such-process', `unable to capture pid ${pid}`, {
          reason: 'no such process',
          cause: error,
        });
      }
      throw unable(`fd ${fd} is closed or not readable`, 'not-capturable', error);
    }
  }

  function statTarget(): Stats {
    try {
      return statSync(fdPath);
    } catch (error) {
      throw unable(`cannot stat ${fdPath}`, 'not-capturable', error);
    }
  }

  function unable(reason: string, code: 'not-capturable' | 'method-unavailable', cause?: unknown) {
    return new FdscopeError(code, `unable to follow fd ${fd} of pid ${pid}`, { reason, cause });
  }

  /** Notices a truncation: the file is now shorter than what we have read of it. */
  function checkTruncated(): boolean {
    const size = fstatSync(file).size;
    if (size >= offset) return false;
    sink?.notice({
      t: clock(),
      level: 'warning',
      message: `file truncated at ${offset} bytes; following from its new start`,
    });
    offset = 0;
    return true;
  }

  /** Reads what is new since our offset; returns false when it stopped at the budget. */
  function drain(): boolean {
    if (file < 0 || !sink) return true;
    const events: WriteEvent[] = [];
    let budget = DRAIN_BUDGET_BYTES;
    let checked = false;
    // One pread per wake-up in the common case: a short read means we reached the end (more
    // written since wakes us again), and only a wake-up with nothing to read costs an fstat,
    // which is when a truncation shows.
    while (budget > 0) {
      const n = readSync(file, buffer, 0, CHUNK_BYTES, offset);
      if (n === 0 && events.length === 0 && !checked) {
        checked = true;
        if (checkTruncated()) continue;
      }
      if (n === 0) break;
      events.push({ t: clock(), pid, fd, bytes: Buffer.from(buffer.subarray(0, n)), full: n });
      offset += n;
      budget -= n;
      if (n < CHUNK_BYTES) break;
    }
    if (events.length > 0) sink.writes(events);
    return budget > 0;
  }

  function schedule(): void {
    if (scheduled || done) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (done) return;
      guarded(() => {
        if (!drain()) schedule();
      });
    });
  }

  function check(): void {
    guarded(() => {
      checkTruncated();
      drain();
      if (!processAlive(pid, startTicks)) {
        // Our own descriptor still reads the file, so nothing the process wrote is lost.
        while (!drain());
        finish({ reason: 'process exited' });
        return;
      }
      checkTarget();
    });
  }

  /** Ends, with a notice, when fd N no longer points at the file we follow. */
  function checkTarget(): void {
    let now: string;
    try {
      const st = statSync(fdPath);
      if (st.dev === identity.dev && st.ino === identity.ino) return;
      now = `fd ${fd} now points to ${readlinkSync(fdPath)}`;
    } catch {
      if (!processAlive(pid, startTicks)) return; // the next check ends it as an exit
      now = `fd ${fd} was closed`;
    }
    while (!drain());
    sink?.notice({ t: clock(), level: 'warning', message: now });
    finish({ reason: now });
  }

  function guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      const failure = new FdscopeError('io', `unable to read fd ${fd} of pid ${pid}`, {
        reason: (error as Error).message,
        cause: error,
      });
      logger.warn('follow-file', failure.oneLine(), { pid, fd });
      finish({ reason: 'read failed', error: failure });
    }
  }

  function finish(end: SourceEnd): void {
    if (done) return;
    done = true;
    if (timer) clearInterval(timer);
    watcher?.close();
    if (file >= 0) closeSync(file);
    file = -1;
    logger.debug('follow-file', `ended: ${end.reason}`, { pid, fd, offset });
    settle(end);
  }

  function watchFile(): void {
    // inotify on the magic link watches the inode itself, deleted or renamed alike.
    try {
      watcher = watch(fdPath, { persistent: false }, schedule);
      watcher.on('error', (error) => {
        logger.warn('follow-file', `watch failed, polling only: ${error.message}`, { pid, fd });
        watcher?.close();
        watcher = null;
      });
    } catch (error) {
      logger.warn('follow-file', `cannot watch, polling only: ${String(error)}`, { pid, fd });
    }
  }

  return {
    method: 'file',
    timing: 'observed',
    ended,
    async start(target: CaptureSink): Promise<void> {
      if (sink || done) throw new FdscopeError('internal', 'follow-file source started twice');
      try {
        open();
      } catch (error) {
        finish({ reason: 'could not start', error: error as FdscopeError });
        throw error;
      }
      sink = target;
      watchFile();
      timer = setInterval(check, options.pollMs ?? DEFAULT_POLL_MS);
      schedule();
    },
    async stop(): Promise<void> {
      if (done) return;
      guarded(() => {
        while (!drain());
      });
      finish({ reason: 'stopped' });
    },
  };
}
