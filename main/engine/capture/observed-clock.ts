// Times for sources that see bytes appear (follow-file, read-pipe): µs since the epoch.

// Date.now() has only ms and may step back (NTP); performance.now() is fine-grained and steady
// but drifts from the wall clock over hours. Anchor the one to the other, re-anchor when they
// part by more than a few ms, and never hand out a time below the last one.
const REANCHOR_US = 5_000;

/** A clock of µs since the Unix epoch that never goes backwards. */
export function createObservedClock(): () => number {
  let anchorWall = Date.now() * 1000;
  let anchorPerf = performance.now();
  let last = 0;

  return () => {
    const steady = anchorWall + (performance.now() - anchorPerf) * 1000;
    const wall = Date.now() * 1000;
    let t = steady;
    if (Math.abs(steady - wall) > REANCHOR_US) {
      anchorWall = wall;
      anchorPerf = performance.now();
      t = wall;
    }
    last = Math.max(last, Math.round(t));
    return last;
  };
}
