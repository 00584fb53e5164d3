// The focused time the TIMELINE and the RAW LOG share.

export interface Focus {
  /** The focused time, µs since the epoch. */
  t: number | null;
  /** The raw-log line at that time, when known. */
  index: number | null;
  /** Bumped on each new focus, so the same place can be focused twice. */
  seq: number;
  /** Which view set it; a view does not scroll itself to its own focus. */
  from: 'timeline' | 'log' | 'search' | 'none';
}
