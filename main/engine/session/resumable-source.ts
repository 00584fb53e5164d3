// A capture on a host whose link can drop: when the link goes, the gap is marked, the link is
// made again, and a fresh source takes over (a tracer re-attached, a file followed on from where
// it was). Everything captured before the drop is already on disk and stays there.
import type { FollowedProcess, Slowdown } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { HostLink } from '../host/host-link';
import { silentLogger, type Logger } from '../log';
import type { CaptureSink, CaptureSource, SourceEnd } from '../capture/source';

export interface ResumableOptions {
  link: HostLink;
  /**
   * Makes the source: the first time with null, after a drop with the source the drop ended,
   * so that it can carry on from where that one was.
   */
  create(previous: CaptureSource | null): CaptureSource;
  logger?: Logger;
}

const LOSS_GRACE_MS = 1500;

/** What some sources also tell: their cost to the target, the processes they follow. */
export interface Measured {
  slowdown(): Slowdown | undefined;
  followed(): FollowedProcess[];
}

/** Wraps the sources of one capture so that the capture outlives a lost link. */
export function createResumableSource(options: ResumableOptions): CaptureSource & Measured {
  return new ResumableSource(options);
}

class ResumableSource implements CaptureSource {
  readonly ended: Promise<SourceEnd>;
  private settle: (end: SourceEnd) => void = () => {};
  private current: CaptureSource;
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  private droppedAt: number | null = null;
  private unsubscribe: () => void = () => {};

  constructor(private readonly options: ResumableOptions) {
    this.logger = options.logger ?? silentLogger;
    this.current = options.create(null);
    this.ended = new Promise((resolve) => (this.settle = resolve));
  }

  get method() {
    return this.current.method;
  }

  get timing() {
    return this.current.timing;
  }

  /** What the source of the moment costs the target (a tracer does; a followed file not). */
  slowdown(): Slowdown | undefined {
    return (this.current as Partial<Measured>).slowdown?.();
  }

  /** The processes the source of the moment follows, for those that say. */
  followed(): FollowedProcess[] {
    return (this.current as Partial<Measured>).followed?.() ?? [];
  }

  async start(sink: CaptureSink): Promise<void> {
    // The link may say it is lost before the source notices its command has ended: note when.
    this.unsubscribe = this.options.link.onLost((reason) => {
      if (this.droppedAt !== null) return;
      this.droppedAt = Date.now() * 1000;
      this.logger.warn('capture', 'link lost', { reason });
      sink.notice({ t: this.droppedAt, level: 'warning', message: `connection lost: ${reason}` });
    });
    await this.current.start(sink);
    void this.watch(sink);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.current.stop();
    await this.ended;
  }

  private async watch(sink: CaptureSink): Promise<void> {
    for (;;) {
      const end = await this.current.ended;
      // A command cut off with its connection may end a moment before the link says so.
      if (end.error && !this.options.link.lost) await this.lossWithin(LOSS_GRACE_MS);
      if (this.stopping.signal.aborted || !this.options.link.lost) {
        this.finish(end);
        return;
      }
      const resumed = await this.resume(sink);
      if (!resumed) return;
    }
  }

  /** Reconnects and starts the next source; false when the capture ended instead. */
  private async resume(sink: CaptureSink): Promise<boolean> {
    const lostAt = this.droppedAt ?? Date.now() * 1000;
    try {
      await this.options.link.reconnect(this.stopping.signal);
      if (this.stopping.signal.aborted) throw new Error('stopped while reconnecting');
      const next = this.options.create(this.current);
      this.current = next;
      await next.start(sink);
    } catch (error) {
      if (this.stopping.signal.aborted) this.finish({ reason: 'stopped' });
      else this.finish({ reason: 'connection lost', error: asError(error) });
      return false;
    }
    const back = Date.now() * 1000;
    const seconds = ((back - lostAt) / 1e6).toFixed(1);
    sink.notice({
      t: back,
      level: 'warning',
      message: `reconnected: nothing was captured for ${seconds} s while the link was down`,
    });
    this.droppedAt = null;
    return true;
  }

  private lossWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const unsubscribe = this.options.link.onLost(() => done());
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }

  private finish(end: SourceEnd): void {
    this.unsubscribe();
    this.settle(end);
  }
}

function asError(error: unknown): FdscopeError {
  if (error instanceof FdscopeError) return error;
  return new FdscopeError('io', 'unable to resume the capture', {
    reason: error instanceof Error ? error.message : String(error),
    help: 'check the host is reachable, then start the capture again',
    cause: error,
  });
}
