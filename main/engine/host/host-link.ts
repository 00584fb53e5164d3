// What a host whose connection can drop offers to the captures running on it.

/** A link to a host that can be lost and made again (SSH); this machine has none. */
export interface HostLink {
  /** Whether the link is down now. */
  readonly lost: boolean;
  /** Calls back once each time the link is lost, with why; returns the unsubscribe function. */
  onLost(listener: (reason: string) => void): () => void;
  /**
   * Connects again, retrying with backoff until it succeeds or the signal aborts (then it
   * rejects). Commands started on the old connection are ended on the host first, so a
   * re-attached tracer never finds the old one still there.
   */
  reconnect(signal?: AbortSignal): Promise<void>;
}
