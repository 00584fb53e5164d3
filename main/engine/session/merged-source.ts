// Several sources of one method (one per fd) seen as one capture source.
import type { CaptureSink, CaptureSource, SourceEnd } from '../capture/source';

/** One source for all; it ends when every part has ended. */
export function mergeSources(parts: CaptureSource[]): CaptureSource {
  if (parts.length === 1) return parts[0];
  const ended = Promise.all(parts.map((p) => p.ended)).then((ends): SourceEnd => {
    const failed = ends.find((e) => e.error);
    return failed ?? { reason: [...new Set(ends.map((e) => e.reason))].join('; ') };
  });
  return {
    method: parts[0].method,
    timing: parts[0].timing,
    ended,
    async start(sink: CaptureSink) {
      const started: CaptureSource[] = [];
      try {
        for (const part of parts) {
          await part.start(sink);
          started.push(part);
        }
      } catch (error) {
        await Promise.all(started.map((p) => p.stop()));
        throw error;
      }
    },
    async stop() {
      await Promise.all(parts.map((p) => p.stop()));
    },
  };
}
