// What the trace-source tests share: a sink that records, a traced run, and the checks on a
// target left as it was.
import { expect } from 'vitest';
import type { CaptureNotice } from '../../../preload/contract';
import type { CaptureSink, WriteEvent } from '../../../main/engine/capture/source';
import { createTraceSource, type TraceSource } from '../../../main/engine/capture/trace-source';
import { createLocalHost } from '../../../main/engine/host/local-host';
import type { Host } from '../../../main/engine/host/host';
import { procStatus, waitUntil } from '../../helpers/writers';

/** A sink that keeps every event and counts the batches they came in. */
export interface RecordingSink extends CaptureSink {
  events: WriteEvent[];
  batches: number[];
  notices: CaptureNotice[];
  /** The bytes of one fd's events, concatenated. */
  bytes(fd?: number): Buffer;
}

export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    events: [],
    batches: [],
    notices: [],
    writes(events) {
      sink.batches.push(events.length);
      sink.events.push(...events);
    },
    notice(notice) {
      sink.notices.push(notice);
    },
    bytes(fd = 1) {
      return Buffer.concat(sink.events.filter((e) => e.fd === fd).map((e) => e.bytes));
    },
  };
  return sink;
}

export const localHost: Host = createLocalHost();

/** Starts a trace source on pid and resolves once attached. */
export async function attach(
  pid: number,
  options: { fds?: number[]; host?: Host; stringLimit?: number } = {},
): Promise<{ source: TraceSource; sink: RecordingSink }> {
  const source = createTraceSource({
    host: options.host ?? localHost,
    pid,
    fds: options.fds ?? [1],
    strace: 'strace',
    stringLimit: options.stringLimit,
  });
  const sink = recordingSink();
  await source.start(sink);
  return { source, sink };
}

/** Waits until the sink holds a condition (events, bytes), polling. */
export function waitForEvents(sink: RecordingSink, check: (s: RecordingSink) => boolean) {
  return waitUntil(() => check(sink), 'traced writes', 30_000);
}

/** Asserts the process runs on, not stopped and with no tracer. */
export async function expectUntouched(pid: number): Promise<void> {
  // The kernel clears TracerPid as strace detaches each thread; give it a moment under load.
  await waitUntil(() => procStatus(pid)?.tracerPid === 0, `pid ${pid} to have no tracer`, 5_000);
  const status = procStatus(pid);
  expect(status).not.toBeNull();
  expect(status!.tracerPid).toBe(0);
  expect(['R', 'S', 'D']).toContain(status!.state);
}

/** Asserts that part is a contiguous slice of whole and returns where it starts. */
export function expectSliceOf(part: Buffer, whole: Buffer): number {
  expect(part.length).toBeGreaterThan(0);
  const at = whole.indexOf(part);
  if (at < 0) {
    const head = JSON.stringify(part.subarray(0, 80).toString('latin1'));
    throw new Error(
      `the ${part.length} bytes captured (starting ${head}) are not a slice of the ` +
        `${whole.length} bytes written`,
    );
  }
  return at;
}

/** The numbers at the start of each complete line ("000123 ..."), in order. */
export function lineNumbers(bytes: Buffer): number[] {
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  lines.pop();
  return lines.map((l) => Number.parseInt(l, 10));
}

/** Asserts numbers run up by one without gap or repeat. */
export function expectConsecutive(numbers: number[], what: string): void {
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] !== numbers[i - 1] + 1) {
      throw new Error(`${what}: ${numbers[i - 1]} is followed by ${numbers[i]} at line ${i}`);
    }
  }
}
