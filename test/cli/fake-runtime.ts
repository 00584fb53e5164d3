// A CliRuntime for tests: collected output, signals sent by hand, a fake engine.
import { PassThrough } from 'node:stream';
import type { EngineOptions } from '../../main/engine/engine';
import type { CliRuntime } from '../../main/cli/runtime';
import type { FakeEngine } from '../helpers/fake-engine';

export interface FakeRuntime extends CliRuntime {
  out(): string;
  err(): string;
  outBytes(): Buffer;
  signal(name: NodeJS.Signals): void;
  engineOptions: EngineOptions[];
  opened: string[];
}

/** A runtime whose engine is the given fake. */
export function fakeRuntime(engine: FakeEngine, overrides: Partial<CliRuntime> = {}): FakeRuntime {
  const collect = () => {
    const chunks: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, bytes: () => Buffer.concat(chunks) };
  };
  const stdout = collect();
  const stderr = collect();
  const handlers = new Set<(s: NodeJS.Signals) => void>();
  const runtime: FakeRuntime = {
    engineOptions: [],
    opened: [],
    createEngine: (options) => {
      runtime.engineOptions.push(options);
      return engine;
    },
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { FDSCOPE_LOG: 'off' },
    columns: 120,
    onSignal: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    rendererDir: '/nonexistent',
    openBrowser: async (url) => {
      runtime.opened.push(url);
      return true;
    },
    out: () => stdout.bytes().toString(),
    err: () => stderr.bytes().toString(),
    outBytes: () => stdout.bytes(),
    signal: (name) => handlers.forEach((h) => h(name)),
    ...overrides,
  };
  return runtime;
}

/** Waits for the event loop to run what is pending. */
export const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));
