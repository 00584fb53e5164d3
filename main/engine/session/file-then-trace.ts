// A follow-file capture that turns into a trace when a followed fd moves to something only
// tracing can read (dup2 of a pipe, a socket or a terminal onto fd 1), in the same capture.
import type { Slowdown } from '../../../preload/contract';
import { TARGET_POLL_MS } from '../capture/follow-file-source';
import type { CaptureSink, CaptureSource, SourceEnd } from '../capture/source';
import { FdscopeError } from '../errors';
import { mergeSources } from './merged-source';

/** What the switch needs: how to build the trace, or why it cannot be done. */
export interface SwitchPlan {
  /** Builds the trace of every fd of the capture; throws an FdscopeError when not allowed. */
  trace(): CaptureSource;
}

/**
 * Follows the files of `parts` (one per fd); when one part ends because its fd moved to a
 * non-file, stops the others (each drains what it has) and traces every fd from then on.
 * method and timing tell what is running now.
 */
export function fileThenTrace(
  parts: CaptureSource[],
  plan: SwitchPlan,
): CaptureSource & { slowdown(): Slowdown | undefined } {
  const files = mergeSources(parts);
  let current: CaptureSource = files;
  let sink: CaptureSink | null = null;
  let stopping = false;
  let switching: Promise<void> | null = null;
  let settle: (end: SourceEnd) => void = () => {};
  const ended = new Promise<SourceEnd>((resolve) => (settle = resolve));

  async function switchToTrace(moved: NonNullable<SourceEnd['moved']>): Promise<void> {
    await files.stop();
    if (stopping) return;
    const t0 = Date.now() * 1000;
    let trace: CaptureSource;
    try {
      trace = plan.trace();
      await trace.start(sink!);
    } catch (error) {
      const failure = error instanceof FdscopeError ? error : internal(error);
      sink!.notice({
        t: Date.now() * 1000,
        level: 'error',
        message:
          `fd ${moved.fd} now points to ${moved.link}: capture it again with trace ` +
          `(${failure.oneLine()})`,
      });
      settle({ reason: `fd ${moved.fd} now points to ${moved.link}`, error: failure });
      return;
    }
    current = trace;
    // Noticing and attaching take a moment; what the process wrote meanwhile went to its
    // reader only.
    const ms = Math.round((Date.now() * 1000 - t0) / 1000);
    sink!.notice({
      t: Date.now() * 1000,
      level: 'warning',
      message:
        `switched to tracing (strace) as fd ${moved.fd} now points to ${moved.link}; ` +
        `what the process wrote there between the move (noticed within ${TARGET_POLL_MS} ms) ` +
        `and the attach (${ms} ms later) is not captured`,
    });
    void trace.ended.then(settle);
  }

  return {
    get method() {
      return current.method;
    },
    get timing() {
      return current.timing;
    },
    ended,
    /** What the trace costs the target, once tracing; following a file costs it nothing. */
    slowdown(): Slowdown | undefined {
      return 'slowdown' in current ? (current as { slowdown(): Slowdown }).slowdown() : undefined;
    },
    async start(target: CaptureSink): Promise<void> {
      sink = target;
      await files.start(target);
      for (const part of parts) {
        void part.ended.then((end) => {
          if (end.moved && !stopping && !switching) switching = switchToTrace(end.moved);
        });
      }
      void files.ended.then(async (end) => {
        // Let a switch the last part's end started decide how the capture ends.
        await Promise.resolve();
        if (!switching) settle(end);
      });
    },
    async stop(): Promise<void> {
      stopping = true;
      await switching;
      await current.stop();
      if (current === files) settle(await files.ended);
    },
  };
}

function internal(error: unknown): FdscopeError {
  return new FdscopeError('internal', 'unable to switch to tracing', {
    reason: String(error),
    cause: error,
  });
}
