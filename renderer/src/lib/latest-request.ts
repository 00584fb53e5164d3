// At most one request in flight per view, and only the newest waiting: a view
// that scrolls or zooms faster than the engine answers asks for what it shows
// now, never for every place it passed through (the flood case, C18).

/** Runs `fetch` for the newest key; `apply` sees only answers still wanted. */
export class LatestRequest<K, V> {
  private inFlight = false;
  private queued: { key: K } | null = null;
  private generation = 0;

  constructor(
    private readonly fetch: (key: K) => Promise<V>,
    private readonly apply: (value: V, key: K, stale: boolean) => void,
  ) {}

  /** Asks for `key`; replaces any request not yet sent. */
  request(key: K): void {
    this.generation++;
    this.queued = { key };
    if (!this.inFlight) this.pump();
  }

  /** Forgets the queued request and ignores the one in flight. */
  cancel(): void {
    this.generation++;
    this.queued = null;
  }

  private pump(): void {
    const next = this.queued;
    if (!next) return;
    this.queued = null;
    this.inFlight = true;
    const generation = this.generation;
    this.fetch(next.key)
      .then(
        (value) => this.apply(value, next.key, generation !== this.generation),
        () => undefined,
      )
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }
}
