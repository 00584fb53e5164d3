import { describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../preload/contract';
import { FdscopeError } from '../../main/engine/errors';
import { registerIpc, type InvokeEventLike, type IpcMainLike } from '../../main/app/ipc';
import type { Timers } from '../../main/app/coalesce';
import { captureInfo, fakeEngine } from '../helpers/fake-engine';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

const OWN = 'file:///opt/fdscope/out/renderer/index.html';

function manualTimers() {
  const due: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const entry = { fn, ms };
      due.push(entry);
      return entry;
    },
    clearTimeout: (h) => void due.splice(due.indexOf(h as never), 1),
  };
  const fire = () => due.splice(0).forEach((t) => t.fn());
  return { timers, fire, pending: () => due.length };
}

function setup(engine = fakeEngine()) {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const sent: unknown[][] = [];
  const warnings: string[] = [];
  const dialogAnswers: { canceled: boolean; filePath?: string }[] = [];
  const clock = manualTimers();
  const dispose = registerIpc(ipc, engine, {
    dialogs: { showSaveDialog: async () => dialogAnswers.shift() ?? { canceled: true } },
    isTrustedSender: (url) => url.split('#')[0] === OWN,
    send: (...args) => void sent.push(args),
    logger: { debug() {}, info() {}, error() {}, warn: (_s, message) => warnings.push(message) },
    timers: clock.timers,
  });
  const invoke = (name: unknown, payload: unknown, frame = { url: OWN, parent: null }) =>
    handlers.get(IPC_REQUEST_CHANNEL)!({ senderFrame: frame }, name, payload);
  return { engine, handlers, sent, warnings, dialogAnswers, clock, dispose, invoke };
}

describe('registerIpc', () => {
  it('answers a valid request from our page in an ok envelope', async () => {
    const { invoke, engine } = setup(fakeEngine({ 'capture:get': () => captureInfo() }));

    const result = await invoke('capture:get', { id: 'c1' });

    expect(result).toEqual({ ok: true, value: captureInfo() });
    expect(engine.calls).toEqual([{ name: 'capture:get', req: { id: 'c1' } }]);
  });

  it("passes the engine's error as ErrorInfo, never throwing", async () => {
    const engine = fakeEngine({
      'capture:stop': () => {
        throw new FdscopeError('no-such-capture', 'unable to find capture c9');
      },
      'capture:list': () => {
        throw new TypeError('boom');
      },
    });
    const { invoke } = setup(engine);

    expect(await invoke('capture:stop', { id: 'c9' })).toEqual({
      ok: false,
      error: { code: 'no-such-capture', message: 'unable to find capture c9' },
    });
    expect(await invoke('capture:list', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error', reason: 'boom' },
    });
  });

  it('refuses invalid payloads and unknown names before the engine sees them', async () => {
    const { invoke, engine, warnings } = setup();

    const bad = await invoke('capture:start', { hostId: 'local', pid: '1; rm -rf /', fds: [1] });
    const unknown = await invoke('shell:exec', {});
    const extra = await invoke('capture:get', { id: 'c1', sneaky: true });

    for (const result of [bad, unknown, extra]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(engine.calls).toEqual([]);
    expect(warnings).toEqual(['invalid request', 'invalid request', 'invalid request']);
  });

  it('refuses and logs requests from a subframe, a foreign page or no frame', async () => {
    const { invoke, engine, warnings, handlers } = setup(fakeEngine({ 'capture:list': () => [] }));

    const sub = await invoke('capture:list', {}, { url: OWN, parent: {} as never });
    const foreign = await invoke(
      'capture:list',
      {},
      { url: 'https://evil.example/', parent: null },
    );
    const none = await handlers.get(IPC_REQUEST_CHANNEL)!(
      { senderFrame: null },
      'capture:list',
      {},
    );

    for (const result of [sub, foreign, none]) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'bad-request', message: 'request refused' },
      });
    }
    expect(engine.calls).toEqual([]);
    expect(warnings).toHaveLength(3);
  });

  it('answers dialog:save-path with the chosen path, or null when cancelled', async () => {
    const { invoke, dialogAnswers, engine } = setup();
    dialogAnswers.push({ canceled: false, filePath: '/home/a/out.txt' }, { canceled: true });

    expect(await invoke('dialog:save-path', { defaultPath: '/home/a/x' })).toEqual({
      ok: true,
      value: { path: '/home/a/out.txt' },
    });
    expect(await invoke('dialog:save-path', { defaultPath: '/home/a/x' })).toEqual({
      ok: true,
      value: { path: null },
    });
    expect(engine.calls).toEqual([]);
  });

  it('forwards updates at once, then at most one per capture per interval, the latest', () => {
    const { engine, sent, clock } = setup();

    engine.emitUpdate(captureInfo({ id: 'a', bytes: 1 }));
    for (let i = 2; i <= 50; i++) engine.emitUpdate(captureInfo({ id: 'a', bytes: i }));
    engine.emitUpdate(captureInfo({ id: 'b', bytes: 100 }));
    const beforeInterval = sent.length;
    clock.fire();

    expect(beforeInterval).toBe(2);
    expect(
      sent.map(([channel, name, info]) => [channel, name, (info as { bytes: number }).bytes]),
    ).toEqual([
      [IPC_EVENT_CHANNEL, 'capture:update', 1],
      [IPC_EVENT_CHANNEL, 'capture:update', 100],
      [IPC_EVENT_CHANNEL, 'capture:update', 50],
    ]);
  });

  it('stops handling and forwarding once disposed', () => {
    const { engine, sent, handlers, dispose, clock } = setup();
    engine.emitUpdate(captureInfo({ id: 'a' }));
    engine.emitUpdate(captureInfo({ id: 'a' }));

    dispose();
    engine.emitUpdate(captureInfo({ id: 'b' }));

    expect(handlers.size).toBe(0);
    expect(engine.updateListeners()).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(sent).toHaveLength(1);
  });
});
