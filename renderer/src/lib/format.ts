// Small formatters shared by the views: sizes, counts, times.

/** "4.0 KiB", "1.2 MiB": binary units, since buffers are sized in them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "12,345": a count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Wall-clock time of a µs timestamp, "14:03:07.123" in local time. */
export function formatClock(tUs: number, digits = 3): string {
  const d = new Date(Math.floor(tUs / 1000));
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (digits <= 0) return base;
  const frac = Math.floor(((tUs % 1_000_000) + 1_000_000) % 1_000_000);
  return `${base}.${pad(frac, 6).slice(0, digits)}`;
}

/** Time relative to a start, "+1.250 s". */
export function formatRelative(tUs: number, startUs: number, digits = 3): string {
  const s = (tUs - startUs) / 1e6;
  return `${s < 0 ? '−' : '+'}${Math.abs(s).toFixed(digits)} s`;
}

/** A duration in ms, "850 ms", "2.5 s", "3 min 20 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A command line with its program's folder left out: the words after it matter more. */
export function shortCommand(command: string): string {
  const space = command.indexOf(' ');
  const program = space === -1 ? command : command.slice(0, space);
  const name = program.split('/').pop() || program;
  return space === -1 ? name : name + command.slice(space);
}
