// Draws the TIMELINE on a canvas: one lane per stream, time across, bytes
// per write up each lane on a log scale, time ticks below in seconds since
// the capture started and in wall-clock time.

import type { CaptureNotice, TimelineResult } from '../../../preload/contract';
import { formatClock } from './format';
import { byteTicks, relativeLabel, shortBytes, stepDigits, tickStep, timeTicks } from './time-axis';
import { MARK_COLORS, marksInView } from './timeline-marks';
import { logHeight, timeToX, type TimeWindow } from './timeline-view';

export const MARGIN = { left: 44, right: 12, top: 6, bottom: 34 };
const LANE_GAP = 8;

export interface Lane {
  fd: number;
  label: string;
  color: string;
  y: number;
  height: number;
}

export interface Scene {
  width: number;
  height: number;
  window: TimeWindow;
  origin: number;
  data: TimelineResult | null;
  fds: number[];
  maxBytes: number;
  focusT: number | null;
  hoverX: number | null;
  /** The capture's notices, each drawn as a mark at its time. */
  marks?: readonly CaptureNotice[];
  colors: { stdout: string; stderr: string; grid: string; text: string; faint: string };
}

/** The plot's lanes for the captured fds, stdout above stderr. */
export function lanes(scene: Pick<Scene, 'height' | 'fds' | 'colors'>): Lane[] {
  const plotH = scene.height - MARGIN.top - MARGIN.bottom;
  const n = Math.max(1, scene.fds.length);
  const h = (plotH - LANE_GAP * (n - 1)) / n;
  return scene.fds.map((fd, i) => ({
    fd,
    label: fd === 2 ? 'stderr' : fd === 1 ? 'stdout' : `fd ${fd}`,
    color: fd === 2 ? scene.colors.stderr : scene.colors.stdout,
    y: MARGIN.top + i * (h + LANE_GAP),
    height: h,
  }));
}

/** The largest write size the y axis must hold, rounded up to a power of ten. */
export function axisMax(data: TimelineResult | null): number {
  let max = 100;
  for (const w of data?.writes ?? []) max = Math.max(max, w.length);
  for (const b of data?.buckets ?? []) for (const m of b.maxLength) max = Math.max(max, m);
  return Math.pow(10, Math.ceil(Math.log10(max)));
}

export function drawTimeline(ctx: CanvasRenderingContext2D, s: Scene): void {
  const plotW = s.width - MARGIN.left - MARGIN.right;
  ctx.clearRect(0, 0, s.width, s.height);
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const x = (t: number): number => MARGIN.left + timeToX(s.window, t, plotW);

  const step = tickStep(s.window.t1 - s.window.t0, Math.max(2, plotW / 120));
  const ticks = timeTicks(s.window.t0, s.window.t1, s.origin, Math.max(2, plotW / 120));
  const plotBottom = s.height - MARGIN.bottom;
  ctx.strokeStyle = s.colors.grid;
  ctx.lineWidth = 1;
  for (const t of ticks) {
    const tx = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(tx, MARGIN.top);
    ctx.lineTo(tx, plotBottom + 4);
    ctx.stroke();
  }

  for (const lane of lanes(s)) drawLane(ctx, s, lane, x, plotW);

  ctx.textAlign = 'center';
  for (const t of ticks) {
    const tx = x(t);
    ctx.fillStyle = s.colors.text;
    ctx.fillText(relativeLabel(t, s.origin, step), tx, plotBottom + 11);
    ctx.fillStyle = s.colors.faint;
    ctx.fillText(formatClock(t, Math.min(3, stepDigits(step))), tx, plotBottom + 25);
  }

  drawMarks(ctx, s, x, plotBottom);

  if (s.focusT !== null && s.focusT >= s.window.t0 && s.focusT <= s.window.t1) {
    const fx = Math.round(x(s.focusT)) + 0.5;
    ctx.strokeStyle = '#4f9dff';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(fx, MARGIN.top);
    ctx.lineTo(fx, plotBottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s.hoverX !== null) {
    ctx.strokeStyle = 'rgba(255,255,255,0.25)';
    ctx.beginPath();
    ctx.moveTo(Math.round(s.hoverX) + 0.5, MARGIN.top);
    ctx.lineTo(Math.round(s.hoverX) + 0.5, plotBottom);
    ctx.stroke();
  }
}

function drawLane(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  lane: Lane,
  x: (t: number) => number,
  plotW: number,
): void {
  const base = lane.y + lane.height;
  ctx.fillStyle = 'rgba(255,255,255,0.025)';
  ctx.fillRect(MARGIN.left, lane.y, plotW, lane.height);

  ctx.textAlign = 'right';
  const ticks = byteTicks(s.maxBytes);
  // Label every power of ten only when the lane is tall enough to read them.
  const every = Math.max(1, Math.ceil((13 * ticks.length) / Math.max(1, lane.height - 14)));
  ticks.forEach((v, i) => {
    const y = Math.round(base - logHeight(v, s.maxBytes) * lane.height) + 0.5;
    ctx.strokeStyle = s.colors.grid;
    ctx.beginPath();
    ctx.moveTo(MARGIN.left, y);
    ctx.lineTo(MARGIN.left + plotW, y);
    ctx.stroke();
    if (i % every === 0 && y > lane.y + 4) {
      ctx.fillStyle = s.colors.faint;
      ctx.fillText(shortBytes(v) + 'B', MARGIN.left - 5, y);
    }
  });
  // The lane's name sits inside the plot, clear of the size labels.
  ctx.textAlign = 'left';
  ctx.font = '600 11px system-ui, sans-serif';
  const labelW = ctx.measureText(lane.label).width + 10;
  ctx.fillStyle = 'rgba(20, 22, 27, 0.85)';
  ctx.fillRect(MARGIN.left + 1, lane.y + 1, labelW, 15);
  ctx.fillStyle = lane.color;
  ctx.fillText(lane.label, MARGIN.left + 6, lane.y + 9);
  ctx.font = '10.5px system-ui, sans-serif';

  ctx.save();
  ctx.beginPath();
  ctx.rect(MARGIN.left, lane.y, plotW, lane.height);
  ctx.clip();
  const writes = s.data?.writes?.filter((w) => w.fd === lane.fd);
  if (writes) {
    ctx.fillStyle = lane.color;
    ctx.strokeStyle = lane.color;
    for (const w of writes) {
      const wx = Math.round(x(w.t)) + 0.5;
      const top = base - logHeight(w.length, s.maxBytes) * lane.height;
      ctx.globalAlpha = 0.55;
      ctx.beginPath();
      ctx.moveTo(wx, base);
      ctx.lineTo(wx, top);
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.fillRect(wx - 2, top - 1.5, 4, 3);
    }
  }
  const buckets = s.data?.buckets?.find((b) => b.fd === lane.fd);
  if (buckets && s.data) {
    const n = buckets.counts.length;
    const span = (s.data.t1 - s.data.t0) / n;
    ctx.fillStyle = lane.color;
    for (let i = 0; i < n; i++) {
      if (buckets.counts[i] === 0) continue;
      const x0 = x(s.data.t0 + i * span);
      const x1 = x(s.data.t0 + (i + 1) * span);
      const top = base - logHeight(buckets.maxLength[i], s.maxBytes) * lane.height;
      ctx.globalAlpha = Math.min(0.95, 0.35 + Math.log10(buckets.counts[i] + 1) * 0.2);
      ctx.fillRect(x0, top, Math.max(1, x1 - x0 - 0.5), base - top);
    }
    ctx.globalAlpha = 1;
  }
  ctx.restore();
}

/** A notice is a line across the lanes with a small flag on top, coloured by its level. */
function drawMarks(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  x: (t: number) => number,
  plotBottom: number,
): void {
  for (const mark of marksInView(s.marks ?? [], s.window)) {
    const mx = Math.round(x(mark.t)) + 0.5;
    ctx.strokeStyle = MARK_COLORS[mark.level];
    ctx.fillStyle = MARK_COLORS[mark.level];
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.moveTo(mx, MARGIN.top);
    ctx.lineTo(mx, plotBottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.beginPath();
    ctx.moveTo(mx - 4, MARGIN.top);
    ctx.lineTo(mx + 4, MARGIN.top);
    ctx.lineTo(mx, MARGIN.top + 6);
    ctx.closePath();
    ctx.fill();
  }
}
