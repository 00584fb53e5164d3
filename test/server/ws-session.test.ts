import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { decodeFrame, type WireMessage } from '../../preload/wire';
import { silentLogger } from '../../main/engine/log';
import { runSession } from '../../main/server/ws-session';
import { captureInfo, fakeEngine } from '../helpers/fake-engine';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: WireMessage[] = [];
  send(frame: Uint8Array): void {
    this.sent.push(decodeFrame(frame));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

function session() {
  const socket = new FakeSocket();
  const engine = fakeEngine();
  runSession(socket as unknown as WebSocket, { engine, logger: silentLogger, highWaterMark: 100 });
  return { socket, engine };
}

describe('runSession', () => {
  it('sends each update at once while the socket keeps up', () => {
    const { socket, engine } = session();

    engine.emitUpdate(captureInfo({ id: 'a', bytes: 1 }));
    engine.emitUpdate(captureInfo({ id: 'a', bytes: 2 }));

    expect(socket.sent.map((m) => (m as { payload: { bytes: number } }).payload.bytes)).toEqual([
      1, 2,
    ]);
  });

  it('keeps only the latest update per capture while the socket is backed up', () => {
    vi.useFakeTimers();
    const { socket, engine } = session();
    socket.bufferedAmount = 1_000;

    for (let i = 1; i <= 1000; i++) {
      engine.emitUpdate(captureInfo({ id: 'a', bytes: i }));
      engine.emitUpdate(captureInfo({ id: 'b', bytes: -i }));
    }
    vi.advanceTimersByTime(100);
    expect(socket.sent).toEqual([]);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(100);

    expect(socket.sent).toMatchObject([
      { kind: 'event', payload: { id: 'a', bytes: 1000 } },
      { kind: 'event', payload: { id: 'b', bytes: -1000 } },
    ]);
  });

  it('drops held updates and its engine listener when the socket closes', () => {
    vi.useFakeTimers();
    const { socket, engine } = session();
    socket.bufferedAmount = 1_000;
    engine.emitUpdate(captureInfo({ id: 'a' }));

    socket.readyState = 3;
    socket.emit('close');
    vi.advanceTimersByTime(1_000);

    expect(engine.updateListeners()).toBe(0);
    expect(socket.sent).toEqual([]);
  });
});

describe('runSession prompts', () => {
  it('sends prompts at once even while updates are held back, and their closing', async () => {
    const { socket, engine } = session();
    socket.bufferedAmount = 1_000;

    const answer = engine.prompts.ask({
      kind: 'host-key',
      host: 'root@127.0.0.1:2222',
      title: 'Unknown host key',
      message: 'first connection',
      fingerprint: 'SHA256:abc',
      fields: [],
    });
    const asked = socket.sent.find((m) => 'name' in m && m.name === 'prompt:ask');
    const id = (asked as { payload: { id: string } }).payload.id;
    engine.prompts.answer({ id, accept: true, values: [] });

    expect((await answer).accept).toBe(true);
    expect(socket.sent.map((m) => ('name' in m ? m.name : m.kind))).toEqual([
      'prompt:ask',
      'prompt:closed',
    ]);
  });
});
