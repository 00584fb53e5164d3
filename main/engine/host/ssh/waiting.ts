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
