import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../main/server';
import { FdscopeError } from '../../main/engine/errors';
import { captureInfo, fakeEngine, type FakeEngine } from '../helpers/fake-engine';
import { call, get, nextMessage, openSocket } from './helpers';

let root: string;
let rendererDir: string;
let engine: FakeEngine;
let server: RunningServer;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'fdscope-server-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>fdscope</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
  engine = fakeEngine({
    'capture:lines': () => ({
      total: 1,
      lines: [
        { index: 0, fd: 1, t: 1, length: 4, bytes: Buffer.from([0, 255, 10, 13]), complete: true },
      ],
    }),
    'capture:get': () => {
      throw new FdscopeError('no-such-capture', 'unable to find capture c9', { reason: 'gone' });
    },
  });
  server = await startServer({ engine, rendererDir });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${server.port}`;

async function connect(): Promise<WebSocket> {
  const ws = await openSocket(server.port, { query: `?token=${server.token}`, origin: origin() });
  if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
  sockets.push(ws);
  return ws;
}

describe('startServer', () => {
  it('listens on 127.0.0.1 with a long random token in its URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('answers 401 to a request without a token', async () => {
    const reply = await get(server.port, '/');

    expect(reply.status).toBe(401);
    expect(reply.body.toString()).not.toContain('fdscope</title>');
  });

  it('answers 401 to a request with a wrong token, in the query or the cookie', async () => {
    const wrong = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');

    const byQuery = await get(server.port, `/?token=${wrong}`);
    const byCookie = await get(server.port, '/assets/app.js', {
      Cookie: `fdscope_token_${server.port}=${wrong}`,
    });

    expect(byQuery.status).toBe(401);
    expect(byCookie.status).toBe(401);
  });

  it('serves the page for the token and sets an HttpOnly SameSite=Strict cookie', async () => {
    const reply = await get(server.port, `/?token=${server.token}`);

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['set-cookie']?.[0]).toBe(
      `fdscope_token_${server.port}=${server.token}; Path=/; HttpOnly; SameSite=Strict`,
    );
    expect(reply.body.toString()).toContain('fdscope</title>');
  });

  it('serves assets with their MIME types and security headers for the cookie', async () => {
    const cookie = `other=1; fdscope_token_${server.port}=${server.token}`;

    const js = await get(server.port, '/assets/app.js', { Cookie: cookie });
    const css = await get(server.port, '/assets/app.css', { Cookie: cookie });

    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.headers['content-security-policy']).toContain("default-src 'self'");
    expect(js.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(js.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a Host header other than its own loopback names', async () => {
    const reply = await get(server.port, `/?token=${server.token}`, { Host: 'evil.example:80' });

    expect(reply.status).toBe(403);
  });

  it('refuses paths that lead outside the renderer folder', async () => {
    const q = `?token=${server.token}`;
    const paths = [
      `/../secret.txt${q}`,
      `/assets/../../secret.txt${q}`,
      `/%2e%2e/secret.txt${q}`,
      `/assets/..%2f..%2fsecret.txt${q}`,
      `/..%5csecret.txt${q}`,
      `/assets/link.txt${q}`,
      `/%00index.html${q}`,
      `/%E0%A4%A${q}`,
    ];

    const replies = await Promise.all(paths.map((p) => get(server.port, p)));

    for (const reply of replies) {
      expect(reply.status).toBe(404);
      expect(reply.body.toString()).not.toContain('secret');
    }
  });

  it('refuses a WebSocket without a token with 401', async () => {
    expect(await openSocket(server.port, { origin: origin() })).toBe(401);
  });

  it('refuses a WebSocket from a foreign Origin with 403, even with the cookie', async () => {
    const cookie = `fdscope_token_${server.port}=${server.token}`;

    const foreign = await openSocket(server.port, { origin: 'http://evil.example', cookie });
    const otherPort = await openSocket(server.port, { origin: 'http://127.0.0.1:1', cookie });
    const none = await openSocket(server.port, { cookie });

    expect([foreign, otherPort, none]).toEqual([403, 403, 403]);
  });

  it('accepts a WebSocket with the cookie from its own localhost origin', async () => {
    const ws = await openSocket(server.port, {
      origin: `http://localhost:${server.port}`,
      cookie: `fdscope_token_${server.port}=${server.token}`,
    });

    expect(typeof ws).not.toBe('number');
    if (typeof ws !== 'number') ws.terminate();
  });

  it('answers a request with binary bytes intact', async () => {
    const ws = await connect();

    const reply = await call(ws, 7, 'capture:lines', { id: 'c1', from: 0, count: 10 });

    expect(reply).toMatchObject({ kind: 'result', seq: 7, result: { ok: true } });
    const value = (reply as { result: { value: { lines: { bytes: Uint8Array }[] } } }).result.value;
    expect(value.lines[0].bytes).toBeInstanceOf(Uint8Array);
    expect([...value.lines[0].bytes]).toEqual([0, 255, 10, 13]);
    expect(engine.calls).toEqual([
      { name: 'capture:lines', req: { id: 'c1', from: 0, count: 10 } },
    ]);
  });

  it("answers an engine's error with its ErrorInfo", async () => {
    const ws = await connect();

    const reply = await call(ws, 1, 'capture:get', { id: 'c9' });

    expect(reply).toEqual({
      kind: 'result',
      seq: 1,
      result: {
        ok: false,
        error: { code: 'no-such-capture', message: 'unable to find capture c9', reason: 'gone' },
      },
    });
  });

  it('answers an invalid payload with bad-request without calling the engine', async () => {
    const ws = await connect();

    const reply = await call(ws, 2, 'capture:start', { hostId: 'local', pid: -1, fds: [1] });
    const unknown = await call(ws, 3, 'shell:run', {});

    expect(reply).toMatchObject({ seq: 2, result: { ok: false, error: { code: 'bad-request' } } });
    expect(unknown).toMatchObject({
      seq: 3,
      result: { ok: false, error: { code: 'bad-request' } },
    });
    expect(engine.calls).toEqual([]);
  });

  it('answers dialog:save-path with not-supported', async () => {
    const ws = await connect();

    const reply = await call(ws, 4, 'dialog:save-path', { defaultPath: '/tmp/x' });

    expect(reply).toMatchObject({ result: { ok: false, error: { code: 'not-supported' } } });
  });

  it('answers malformed frames with an error and keeps serving', async () => {
    const ws = await connect();
    const broken = [
      Buffer.from([1, 2]),
      Buffer.from([255, 255, 255, 0, 1]),
      Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from('{{{')]),
    ];

    for (const frame of broken) {
      const answer = nextMessage(ws, (m) => m.kind === 'result');
      ws.send(frame);
      expect(await answer).toMatchObject({
        seq: -1,
        result: { ok: false, error: { code: 'bad-request', message: 'malformed frame' } },
      });
    }
    const text = nextMessage(ws, (m) => m.kind === 'result');
    ws.send('hello');
    expect(await text).toMatchObject({ seq: -1, result: { ok: false } });
    expect(await call(ws, 9, 'capture:lines', { id: 'c1', from: 0, count: 1 })).toMatchObject({
      result: { ok: true },
    });
  });

  it('pushes capture updates as event frames', async () => {
    const ws = await connect();
    const event = nextMessage(ws, (m) => m.kind === 'event');

    engine.emitUpdate(captureInfo({ id: 'c1', bytes: 42 }));

    expect(await event).toMatchObject({
      kind: 'event',
      name: 'capture:update',
      payload: { id: 'c1', bytes: 42 },
    });
  });

  it('stops listening to the engine when a socket closes', async () => {
    const ws = await connect();
    expect(engine.updateListeners()).toBe(1);

    ws.close();
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(engine.updateListeners()).toBe(0);
  });
});
