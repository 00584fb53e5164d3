// Small waiting helpers: a promise resolved from outside, and an abortable sleep.

/** A promise with its resolve, and whether it has been resolved. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  settled: boolean;
}

/** Creates a Deferred. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const d: Deferred<T> = {
    promise: new Promise<T>((r) => (resolve = r)),
    resolve: (value) => {
      d.settled = true;
      resolve(value);
    },
    settled: false,
  };
  return d;
}

/** Waits ms milliseconds, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** A timeout that can be held while something else (a person) is being waited for. */
export interface PausableTimer {
  /** Holds the timer until the promise settles; holds nest. */
  hold<T>(during: Promise<T>): Promise<T>;
  clear(): void;
}

/** Calls onTimeout after ms of running time, not counting the time spent held. */
export function pausableTimer(ms: number, onTimeout: () => void): PausableTimer {
  let left = ms;
  let startedAt = Date.now();
  let timer: NodeJS.Timeout | null = setTimeout(onTimeout, left);
  let holds = 0;
  let cleared = false;
  return {
    hold(during) {
      if (holds++ === 0 && timer) {
        clearTimeout(timer);
        timer = null;
        left -= Date.now() - startedAt;
      }
      const release = (): void => {
        if (--holds > 0 || cleared) return;
        startedAt = Date.now();
        timer = setTimeout(onTimeout, Math.max(left, 0));
      };
      during.then(release, release);
      return during;
    },
    clear() {
      cleared = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
