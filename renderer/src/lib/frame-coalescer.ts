// Keeps only the newest value per key until the next animation frame, so a
// burst of capture:update events costs one render, not one per event.

export type Schedule = (run: () => void) => void;

/** Returns a push function; `flush` gets each frame's newest values. */
export function frameCoalescer<T>(
  keyOf: (value: T) => string,
  flush: (values: T[]) => void,
  schedule: Schedule = (run) => void requestAnimationFrame(run),
): (value: T) => void {
  const waiting = new Map<string, T>();
  let scheduled = false;
  return (value) => {
    waiting.set(keyOf(value), value);
    if (scheduled) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      const values = [...waiting.values()];
      waiting.clear();
      flush(values);
    });
  };
}
