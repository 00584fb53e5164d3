// What every capture method produces: one sequence of writes, and notices.
import type { CaptureNotice, FdKind, MethodName, TimingSource } from '../../../preload/contract';
import type { FdscopeError } from '../errors';

/** One write: the bytes one system call put on a stream (or that were seen appear). */
export interface WriteEvent {
  /** µs since the Unix epoch, on the host's clock. */
  t: number;
  pid: number;
  fd: number;
  /** The bytes captured. */
  bytes: Buffer;
  /** The bytes the call really wrote (its return value); > bytes.length when cut. */
  full: number;
}

/** How a source ended by itself (or after stop()). */
export interface SourceEnd {
  reason: string;
  error?: FdscopeError;
  /** Set when a followed fd now points to something this method cannot read. */
  moved?: { fd: number; kind: FdKind; link: string };
}

/** Where a source delivers what it captures, in order. */
export interface CaptureSink {
  writes(events: WriteEvent[]): void;
  notice(notice: CaptureNotice): void;
}

/** A running capture method. */
export interface CaptureSource {
  readonly method: MethodName;
  readonly timing: TimingSource;
  /** Resolves once capturing has begun; rejects with an FdscopeError when it cannot. */
  start(sink: CaptureSink): Promise<void>;
  /** Stops and detaches; resolves when the target runs on untouched. */
  stop(): Promise<void>;
  /** Settles when the source has ended, for whatever reason. */
  readonly ended: Promise<SourceEnd>;
}
