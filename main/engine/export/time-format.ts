// Times as exports write them: ISO 8601 in UTC, to the microsecond.

/** 2026-12-04T10:00:00.123456Z from µs since the epoch. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = Math.floor(us - ms * 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}
