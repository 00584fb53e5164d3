// follow-file: reads what a process appends to the file on its fd, through /proc/PID/fd/N,
// so a deleted or renamed file is followed by its inode, not by a path; when the process puts
// another file on the fd, that one is followed next.
import { readlinkSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { fdKindOf } from '../discovery/proc-parse';
import { FdscopeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { checkRegular, openRegular, readFdLink } from './fd-open';
import { fdAppends, otherWritersNotice } from './file-holders';
import { FollowedFile, type FollowedFileSink } from './followed-file';
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
  /** How often other processes holding the file are looked for again: ms. */
  holdersScanMs?: number;
}

// A drain yields to the event loop after BUDGET so a flood cannot starve the rest of the engine.
const DRAIN_BUDGET_BYTES = 4 * 1024 * 1024;
const DEFAULT_POLL_MS = 250;
/**
 * How often fd N's target is looked at: a move to a pipe is traced from when it is noticed,
 * so this is one stat of the magic link, 20 times a second.
 */
export const TARGET_POLL_MS = 50;
const CLOSED_CONFIRM_MS = 200;
// A scan reads every fd link of every process (about 9 ms for 120 processes here): rarely.
const HOLDERS_SCAN_MS = 10_000;
// File times come from the kernel's coarse clock, a tick behind Date.now(): a file created just
// as the capture began may show a birth time a few ms before it.
const BIRTH_SLACK_MS = 20;

/** Creates a follow-file source for fd N of a process (method 'file', times as observed). */
export function createFollowFileSource(options: FollowFileOptions): CaptureSource {
  const { pid, fd } = options;
  const logger = options.logger ?? silentLogger;
  const fdPath = `/proc/${pid}/fd/${fd}`;
  const clock = createObservedClock();
  const startedMs = Date.now();
  const pending: WriteEvent[] = [];
  let sink: CaptureSink | null = null;
  let file: FollowedFile | null = null;
  let identity = { dev: 0, ino: 0 };
  let startTicks = 0;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let targetTimer: NodeJS.Timeout | null = null;
  let closedSince: number | null = null;
  let holdersTimer: NodeJS.Timeout | null = null;
  let followedLink = '';
  let knownHolders = new Set<number>();
  let scheduled = false;
  let done = false;
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));

  const fileSink: FollowedFileSink = {
    bytes: (bytes) => void pending.push({ t: clock(), pid, fd, bytes, full: bytes.length }),
    notice: (level, message) => notice(level, message),
  };

  /** Delivers the reads so far, so that a notice lands after the bytes that came before it. */
  function flush(): void {
    if (pending.length > 0) sink?.writes(pending.splice(0));
  }

  function notice(level: 'info' | 'warning', message: string): void {
    flush();
    sink?.notice({ t: clock(), level, message });
  }

  function openFirst(): void {
    const link = readFdLink(pid, fd);
    startTicks = readStartTicks(pid) ?? 0;
    checkRegular(pid, fd, link);
    const size = follow(link, options.fromStart ? 0 : null);
    logger.debug('follow-file', `following ${link}`, { pid, fd, offset: size });
  }

  /** Opens what fd N points to now, from `offset` or (null) from its end; returns the offset. */
  function follow(link: string, offset: number | null): number {
    const { osFd, stats } = openRegular(pid, fd, link);
    identity = { dev: stats.dev, ino: stats.ino };
    followedLink = link;
    knownHolders = new Set();
    const from = offset ?? stats.size;
    file = new FollowedFile(osFd, from, fileSink, () => fdAppends(pid, fd), `fd ${fd}`);
    return from;
  }

  /** Reads what is new; returns false when it stopped at the budget. */
  function drain(): boolean {
    if (!file || !sink) return true;
    const finished = file.drain(DRAIN_BUDGET_BYTES);
    flush();
    return finished;
  }

  function drainAll(): void {
    while (!drain());
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
      drain();
      if (!processAlive(pid, startTicks)) {
        // Our own descriptor still reads the file, so nothing the process wrote is lost.
        drainAll();
        finish({ reason: 'process exited' });
        return;
      }
      checkTarget();
    });
  }

  /** True when fd N no longer points at the file we follow (or cannot be looked at). */
  function targetChanged(): boolean {
    try {
      const st = statSync(fdPath);
      return st.dev !== identity.dev || st.ino !== identity.ino;
    } catch {
      return true;
    }
  }

  /** Follows the new file when fd N now points to another; ends when it is no file. */
  function checkTarget(): void {
    let st: Stats;
    let link: string;
    try {
      st = statSync(fdPath);
      closedSince = null;
      if (st.dev === identity.dev && st.ino === identity.ino) return;
      link = readlinkSync(fdPath);
    } catch {
      if (!processAlive(pid, startTicks)) return; // the next check ends it as an exit
      // An exiting process closes its fds a moment before it turns zombie: only a closed fd
      // that stays closed is one the process closed.
      closedSince ??= Date.now();
      if (Date.now() - closedSince < CLOSED_CONFIRM_MS) return;
      drainAll();
      notice('warning', `fd ${fd} was closed`);
      finish({ reason: `fd ${fd} was closed` });
      return;
    }
    // What the process wrote to the old file before the switch is still there for our fd.
    drainAll();
    file?.close();
    file = null;
    if (!st.isFile()) {
      const moved = { fd, kind: fdKindOf(link), link };
      notice('warning', `fd ${fd} now points to ${link}, which follow-file cannot read`);
      finish({ reason: `fd ${fd} now points to ${link}`, moved });
      return;
    }
    switchTo(link, st);
  }

  function switchTo(link: string, st: Stats): void {
    // A file born during the capture holds only what was written since: read all of it. An
    // older one may hold anything: follow it from its end, and say what that leaves out.
    const fresh = st.birthtimeMs > 0 && st.birthtimeMs >= startedMs - BIRTH_SLACK_MS;
    const from = follow(link, fresh ? 0 : null);
    const how = fresh
      ? 'following it from its start (it was created during the capture)'
      : `following it from its end: its first ${from} bytes, there before, are left out`;
    notice('warning', `fd ${fd} now points to ${link}; ${how}`);
    watchFile();
    schedule();
  }

  function guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      const failure =
        error instanceof FdscopeError
          ? error
          : new FdscopeError('io', `unable to read fd ${fd} of pid ${pid}`, {
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
    if (targetTimer) clearInterval(targetTimer);
    if (holdersTimer) clearInterval(holdersTimer);
    watcher?.close();
    file?.close();
    flush();
    file = null;
    logger.debug('follow-file', `ended: ${end.reason}`, { pid, fd });
    settle(end);
  }

  function watchFile(): void {
    watcher?.close();
    watcher = null;
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

  /** Names other processes that may write to the file: their bytes are read as ours. */
  function noteOtherWriters(): void {
    if (done || !file) return;
    const message = otherWritersNotice(pid, followedLink, identity, knownHolders);
    if (message) notice('info', message);
  }

  return {
    method: 'file',
    timing: 'observed',
    ended,
    async start(target: CaptureSink): Promise<void> {
      if (sink || done) throw new FdscopeError('internal', 'follow-file source started twice');
      try {
        openFirst();
      } catch (error) {
        finish({ reason: 'could not start', error: error as FdscopeError });
        throw error;
      }
      sink = target;
      watchFile();
      timer = setInterval(check, options.pollMs ?? DEFAULT_POLL_MS);
      targetTimer = setInterval(() => {
        if (targetChanged()) check();
      }, TARGET_POLL_MS);
      schedule();
      setImmediate(() => guarded(noteOtherWriters));
      holdersTimer = setInterval(
        () => guarded(noteOtherWriters),
        options.holdersScanMs ?? HOLDERS_SCAN_MS,
      );
    },
    async stop(): Promise<void> {
      if (done) return;
      guarded(drainAll);
      finish({ reason: 'stopped' });
    },
  };
}
