// Tick positions for the timeline's time axis: round steps (1, 2, 5 × 10^k
// below a second; then 1, 2, 5, 10, 15, 30 s and minutes, then hours) chosen
// so labels do not crowd, labelled relative to the capture's start.

const SECOND = 1_000_000;
const LONG_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].map(
  (s) => s * SECOND,
);

/** The tick step in µs for a span that should hold about `target` ticks. */
export function tickStep(spanUs: number, target: number): number {
  const raw = spanUs / Math.max(1, target);
  if (raw >= SECOND) return LONG_STEPS.find((s) => s >= raw) ?? LONG_STEPS[LONG_STEPS.length - 1];
  const exp = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 5, 10]) if (m * exp >= raw) return m * exp;
  return 10 * exp;
}

/**
 * Ticks between t0 and t1 (µs), aligned to whole steps counted from `origin`
 * so that relative labels read +0.5 s, +1.0 s rather than +0.37 s.
 */
export function timeTicks(t0: number, t1: number, origin: number, target: number): number[] {
  if (!(t1 > t0)) return [];
  const step = tickStep(t1 - t0, target);
  const first = origin + Math.ceil((t0 - origin) / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= t1 && ticks.length < 1000; t += step) ticks.push(t);
  return ticks;
}

/** Decimal places a label needs at this step, in seconds. */
export function stepDigits(stepUs: number): number {
  if (stepUs >= SECOND) return 0;
  return Math.min(6, Math.ceil(-Math.log10(stepUs / SECOND) - 1e-9));
}

/** "+1.5 s", "+2 min 30 s": a tick's label relative to the origin. */
export function relativeLabel(t: number, origin: number, stepUs: number): string {
  const s = (t - origin) / SECOND;
  if (Math.abs(s) >= 60 && stepUs >= SECOND) {
    const m = Math.floor(Math.abs(s) / 60);
    const rest = Math.round(Math.abs(s) % 60);
    return `${s < 0 ? '−' : '+'}${m} min${rest ? ` ${rest} s` : ''}`;
  }
  return `${s < 0 ? '−' : '+'}${Math.abs(s).toFixed(stepDigits(stepUs))} s`;
}

/** Powers of ten between 1 and `max` bytes, for the log-scale size axis. */
export function byteTicks(max: number): number[] {
  const ticks: number[] = [];
  for (let v = 1; v <= Math.max(max, 1); v *= 10) ticks.push(v);
  return ticks;
}

/** "1", "100", "10K", "1M": short byte labels for the size axis. */
export function shortBytes(v: number): string {
  if (v >= 1e9) return `${v / 1e9}G`;
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}K`;
  return String(v);
}
