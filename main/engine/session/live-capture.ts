// One capture while it runs: its source feeds the store, and its state is
// published (throttled) to whoever watches, and to meta.json for after a crash.
import type {
  CaptureInfo,
  CaptureNotice,
  FollowedProcess,
  Slowdown,
} from '../../../preload/contract';
import type { CaptureSource, SourceEnd, WriteEvent } from '../capture/source';
import { FdscopeError } from '../errors';
import type { Logger } from '../log';
import { CaptureReader } from '../store/capture-reader';
import { CaptureWriter } from '../store/capture-writer';
import { writeMeta, type CapturedProcess } from '../store/capture-meta';

/** How often watchers hear of a running capture, at most. */
const UPDATE_MS = 100;
/** How often meta.json is rewritten while a capture runs. */
const META_MS = 1000;
/** Notices kept in the capture's info; later ones are counted, not kept. */
const MAX_NOTICES = 200;
/** Stored writes handed to a new subscriber at a time. */
const REPLAY_BATCH = 1024;

/** A source that can say what it costs the target; undefined while it costs nothing. */
type SlowdownSource = CaptureSource & { slowdown(): Slowdown | undefined };
type FollowingSource = CaptureSource & { followed(): FollowedProcess[] };

/** A running (or just ended) capture. */
export class LiveCapture {
  readonly writer: CaptureWriter;
  readonly reader: CaptureReader;
  private readonly writeListeners = new Set<(writes: WriteEvent[]) => void>();
  private updateTimer: NodeJS.Timeout | null = null;
  private lastMeta = 0;
  private droppedNotices = 0;
  private finished: Promise<CaptureInfo> | null = null;

  constructor(
    readonly dir: string,
    private info: CaptureInfo,
    private readonly process: CapturedProcess,
    private readonly source: CaptureSource,
    private readonly publish: (info: CaptureInfo) => void,
    private readonly logger: Logger,
  ) {
    const fds = info.streams.map((s) => s.fd);
    this.writer = new CaptureWriter(dir, fds);
    this.reader = new CaptureReader(dir, fds, () => this.writer.openLines());
    writeMeta(dir, { version: 1, info, process });
  }

  /** Starts the source; on failure the capture is ended with the error, and it is thrown. */
  async start(): Promise<void> {
    const sink = {
      writes: (w: WriteEvent[]) => this.onWrites(w),
      notice: (n: CaptureNotice) => this.onNotice(n),
    };
    try {
      await this.source.start(sink);
    } catch (error) {
      const failure =
        error instanceof FdscopeError
          ? error
          : new FdscopeError('internal', 'unable to start the capture', {
              reason: String(error),
              cause: error,
            });
      this.finish({ reason: 'could not start', error: failure });
      throw failure;
    }
    this.info = { ...this.info, state: 'running' };
    this.publishNow();
    void this.source.ended.then((end) => this.finish(end));
  }

  /** Stops the source (detaching from the target) and resolves with the final info. */
  async stop(): Promise<CaptureInfo> {
    if (this.info.state === 'running' || this.info.state === 'starting') {
      this.info = { ...this.info, state: 'stopping' };
      this.publishNow();
      await this.source.stop();
      return this.finish(await this.source.ended);
    }
    return this.finished ?? this.snapshot();
  }

  /** The capture's info with its counters as of now. */
  snapshot(): CaptureInfo {
    const streams = this.info.streams.map((s) => {
      const totals = this.writer.totals(s.fd);
      const open = this.writer.openLines().filter((l) => l.fd === s.fd).length;
      return { ...s, bytes: totals.bytes, writes: totals.writes, lines: totals.lines + open };
    });
    const sum = (key: 'bytes' | 'writes' | 'lines') => streams.reduce((n, s) => n + s[key], 0);
    const info: CaptureInfo = {
      ...this.info,
      // A follow-file capture may have switched to tracing since it started.
      method: this.source.method,
      timing: this.source.timing,
      streams,
      bytes: sum('bytes'),
      writes: sum('writes'),
      lines: sum('lines'),
    };
    if (this.info.state === 'running' && 'slowdown' in this.source) {
      const slowdown = (this.source as SlowdownSource).slowdown();
      if (slowdown) info.slowdown = slowdown;
    }
    if ('followed' in this.source) info.followed = (this.source as FollowingSource).followed();
    return info;
  }

  get state(): CaptureInfo['state'] {
    return this.info.state;
  }

  /**
   * Subscribes to every write: first those already stored (replayed from disk, so a
   * subscriber that comes after start() misses nothing), then each batch as it comes.
   */
  subscribeWrites(listener: (writes: WriteEvent[]) => void): () => void {
    const total = this.reader.writeCount();
    for (let at = 0; at < total; at += REPLAY_BATCH) {
      const records = this.reader.writes(at, Math.min(REPLAY_BATCH, total - at));
      listener(
        records.map((w) => ({
          t: w.t,
          pid: w.pid,
          fd: w.fd,
          full: w.full,
          bytes: Buffer.from(this.reader.bytes(w.fd, w.offset, w.length)),
        })),
      );
    }
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private onWrites(writes: WriteEvent[]): void {
    if (writes.length === 0 || this.info.state === 'ended') return;
    this.writer.append(writes);
    const first = writes[0].t;
    const last = writes[writes.length - 1].t;
    this.info.firstT = this.info.firstT || first;
    this.info.lastT = Math.max(this.info.lastT, last);
    for (const listener of this.writeListeners) listener(writes);
    this.scheduleUpdate();
  }

  private onNotice(notice: CaptureNotice): void {
    if (this.info.notices.length >= MAX_NOTICES) this.droppedNotices += 1;
    else this.info.notices = [...this.info.notices, notice];
    this.logger.info('capture', notice.message, { id: this.info.id });
    this.publishNow();
  }

  private finish(end: SourceEnd): Promise<CaptureInfo> {
    if (this.finished) return this.finished;
    this.writer.close();
    this.reader.detachWriter();
    const notices = [...this.info.notices];
    if (this.droppedNotices > 0) {
      notices.push({
        t: Date.now() * 1000,
        level: 'warning',
        message: `${this.droppedNotices} more notices were not kept`,
      });
    }
    this.info = {
      ...this.snapshot(),
      notices,
      state: 'ended',
      endedAt: Date.now(),
      endReason: end.reason === 'stopped' ? 'stopped by user' : end.reason,
    };
    delete this.info.slowdown;
    if (end.error) this.info.error = end.error.toInfo();
    this.publishNow();
    this.finished = Promise.resolve(this.info);
    return this.finished;
  }

  private scheduleUpdate(): void {
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null;
      this.publishNow();
    }, UPDATE_MS);
  }

  private publishNow(): void {
    if (this.updateTimer) {
      clearTimeout(this.updateTimer);
      this.updateTimer = null;
    }
    const info = this.snapshot();
    const now = Date.now();
    if (info.state !== 'running' || now - this.lastMeta >= META_MS) {
      this.lastMeta = now;
      writeMeta(this.dir, { version: 1, info, process: this.process });
    }
    this.publish(info);
  }
}
