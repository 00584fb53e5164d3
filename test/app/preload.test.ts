import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type FdscopeBridge } from '../../preload/contract';

// Electron cannot run here: the preload is tested against a stand-in module.
const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    invoke: vi.fn(async () => ({ ok: true, value: [] })),
  };
});

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, fn: (...args: unknown[]) => void) => {
      const set = electron.listeners.get(channel) ?? new Set();
      set.add(fn);
      electron.listeners.set(channel, set);
    },
    removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
      electron.listeners.get(channel)?.delete(fn),
  },
}));

beforeEach(async () => {
  vi.resetModules();
  electron.exposed.clear();
  electron.listeners.clear();
  await import('../../preload/index');
});

const bridge = () => electron.exposed.get('fdscope') as FdscopeBridge;
const emit = (name: string, payload: unknown) =>
  electron.listeners.get(IPC_EVENT_CHANNEL)?.forEach((fn) => fn({ sender: 'x' }, name, payload));

describe('preload', () => {
  it('exposes only window.fdscope, in electron mode, and no ipcRenderer', () => {
    expect([...electron.exposed.keys()]).toEqual(['fdscope']);
    expect(bridge().mode).toBe('electron');
    expect(Object.keys(bridge()).sort()).toEqual(['mode', 'on', 'request']);
  });

  it('sends requests on the request channel', async () => {
    const result = await bridge().request('capture:list', {});

    expect(electron.invoke).toHaveBeenCalledWith(IPC_REQUEST_CHANNEL, 'capture:list', {});
    expect(result).toEqual({ ok: true, value: [] });
  });

  it('delivers only the subscribed event, without the IPC event object, until unsubscribed', () => {
    const got: unknown[][] = [];
    const off = bridge().on('capture:update', (...args) => got.push(args));

    emit('capture:update', { id: 'a' });
    emit('menu:command', { command: 'export' });
    off();
    emit('capture:update', { id: 'b' });

    expect(got).toEqual([[{ id: 'a' }]]);
    expect(electron.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(0);
  });
});
