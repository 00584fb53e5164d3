// Rate-limits a stream of updates per key: the first goes out at once, later
// ones within the interval collapse into the latest, sent when it ends.

/** The timer functions a Coalescer uses; tests pass fakes. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** At most one value per key per interval, never dropping the last one. */
export class Coalescer<T> {
  private readonly windows = new Map<string, { handle: unknown; pending?: { value: T } }>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Sends value now, or holds it as the key's latest until its interval ends. */
  push(key: string, value: T): void {
    const open = this.windows.get(key);
    if (open) {
      open.pending = { value };
      return;
    }
    this.emit(value);
    this.open(key);
  }

  /** Forgets everything held; nothing more is sent. */
  dispose(): void {
    for (const window of this.windows.values()) this.timers.clearTimeout(window.handle);
    this.windows.clear();
  }

  private open(key: string): void {
    const handle = this.timers.setTimeout(() => {
      const window = this.windows.get(key);
      this.windows.delete(key);
      if (!window?.pending) return;
      this.emit(window.pending.value);
      this.open(key);
    }, this.intervalMs);
    this.windows.set(key, { handle });
  }
}
