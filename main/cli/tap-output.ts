// Turns a capture's writes into what fdscope tap prints: the bytes as they
// were written, or one stamped line per output line.
import type { WriteEvent } from '../engine/capture/source';
import type { TapFormat } from './command-line';

/** Where tap's output goes. */
export interface TapSink {
  write(bytes: Buffer): void;
}

export interface TapWriter {
  writes(events: WriteEvent[]): void;
  /** Prints what is left of unfinished lines (text format). */
  end(): void;
}

/** A partial line longer than this is printed as a line of its own, so memory stays bounded. */
export const MAX_PARTIAL_LINE = 64 * 1024;

/** The name tap prints for an fd. */
export function streamName(fd: number): string {
  return fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : `fd${fd}`;
}

/** A time in µs since the epoch as ISO 8601 UTC with microseconds. */
export function isoMicros(t: number): string {
  const ms = Math.floor(t / 1000);
  const micros = String(Math.floor(t) % 1000).padStart(3, '0');
  return new Date(ms).toISOString().slice(0, 23) + micros + 'Z';
}

/** The writer for a format. */
export function tapWriter(format: TapFormat, sink: TapSink): TapWriter {
  if (format === 'raw') {
    return { writes: (events) => events.forEach((e) => sink.write(e.bytes)), end: () => {} };
  }
  return textWriter(sink);
}

function textWriter(sink: TapSink): TapWriter {
  // Per fd: the bytes of the line not yet ended, and the time of its first byte.
  const partial = new Map<number, { parts: Buffer[]; length: number; t: number }>();
  const emit = (fd: number, t: number, line: Buffer) => {
    sink.write(Buffer.concat([Buffer.from(`${isoMicros(t)} ${streamName(fd)} `), line, NL]));
  };
  const flush = (fd: number) => {
    const open = partial.get(fd);
    if (!open) return;
    partial.delete(fd);
    emit(fd, open.t, Buffer.concat(open.parts));
  };

  const take = (event: WriteEvent) => {
    let at = 0;
    while (at < event.bytes.length) {
      const nl = event.bytes.indexOf(10, at);
      const end = nl < 0 ? event.bytes.length : nl;
      const piece = event.bytes.subarray(at, end);
      at = nl < 0 ? end : nl + 1;
      const open = partial.get(event.fd);
      if (nl >= 0 && !open) {
        emit(event.fd, event.t, piece);
        continue;
      }
      // A copy: a slice would keep the whole write's buffer alive until the line ends.
      const kept = open ?? { parts: [], length: 0, t: event.t };
      kept.parts.push(Buffer.from(piece));
      kept.length += piece.length;
      partial.set(event.fd, kept);
      if (nl >= 0 || kept.length >= MAX_PARTIAL_LINE) flush(event.fd);
    }
  };

  return {
    writes: (events) => events.forEach(take),
    end: () => [...partial.keys()].forEach(flush),
  };
}

const NL = Buffer.from('\n');
