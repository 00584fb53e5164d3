// A stand-in for the engine in tests of its faces: answers from handlers the
// test gives, records every call, and emits updates and writes on demand.
import type { CaptureInfo, RequestName } from '../../preload/contract';
import type { WriteEvent } from '../../main/engine/capture/source';
import type { Engine } from '../../main/engine/engine';
import { PromptBroker } from '../../main/engine/prompts/prompt-broker';
import { subscribe } from '../../main/engine/engine-events';

type Handler = (req: unknown) => unknown;

export interface FakeEngine extends Engine {
  calls: { name: RequestName; req: unknown }[];
  closed: boolean;
  emitUpdate(info: CaptureInfo): void;
  emitWrites(captureId: string, writes: WriteEvent[]): void;
  updateListeners(): number;
}

/** A fake engine answering each request name with its handler, or failing for the others. */
export function fakeEngine(handlers: Partial<Record<RequestName, Handler>> = {}): FakeEngine {
  const updates = new Set<(info: CaptureInfo) => void>();
  const writes = new Map<string, Set<(w: WriteEvent[]) => void>>();
  // Prompts are plain routing with no system behind them: the real broker serves.
  const prompts = new PromptBroker();
  const engine: FakeEngine = {
    calls: [],
    closed: false,
    async handle(name, req) {
      engine.calls.push({ name, req });
      const handler = handlers[name];
      if (!handler) throw new Error(`fake engine has no handler for ${name}`);
      return (await handler(req)) as never;
    },
    on: (name, listener) => subscribe({ updates, prompts }, name, listener),
    onWrites(id, listener) {
      const set = writes.get(id) ?? new Set();
      set.add(listener);
      writes.set(id, set);
      return () => set.delete(listener);
    },
    prompts,
    async close() {
      engine.closed = true;
    },
    emitUpdate: (info) => updates.forEach((l) => l(info)),
    emitWrites: (id, events) => writes.get(id)?.forEach((l) => l(events)),
    updateListeners: () => updates.size,
  };
  return engine;
}

/** A capture as the engine would report it, with the fields a test cares about. */
export function captureInfo(overrides: Partial<CaptureInfo> = {}): CaptureInfo {
  return {
    id: 'c1',
    hostId: 'local',
    pid: 4312,
    command: 'python3 writer.py',
    method: 'trace',
    timing: 'syscall',
    state: 'running',
    startedAt: 1_700_000_000_000,
    streams: [],
    writes: 0,
    bytes: 0,
    lines: 0,
    firstT: 0,
    lastT: 0,
    notices: [],
    ...overrides,
  };
}

/** One write event on a stream, at a time in µs. */
export function writeEvent(
  fd: number,
  text: string | Buffer,
  t = 1_700_000_000_000_000,
): WriteEvent {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { t, pid: 4312, fd, bytes, full: bytes.length };
}
