// The renderer's own WebSocket bridge in Chromium, against a small server on
// loopback that speaks the wire frames: the token travels on the socket URL,
// answers come back by seq, events arrive, and a lost link shows the banner
// and comes back by itself.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../preload/contract';
import { decodeFrame, encodeFrame } from '../../preload/wire';
import { buildRenderer, launchChromium, serveRenderer, SHOTS } from './ui-harness';

let server: Server;
let browser: Browser;
let base = '';
let refuse = false;
const tokens: (string | null)[] = [];
const sockets = new Set<WebSocket>();
const problems: string[] = [];
const wss = new WebSocketServer({ noServer: true });

const capture: CaptureInfo = {
  id: 'c1',
  hostId: 'local',
  pid: 77,
  command: 'sh -c ./writer',
  method: 'trace',
  timing: 'syscall',
  state: 'running',
  startedAt: Date.now(),
  streams: [],
  writes: 0,
  bytes: 0,
  lines: 0,
  firstT: 0,
  lastT: 0,
  notices: [],
};

function answer(name: string): unknown {
  if (name === 'hosts:list') return [{ id: 'local', label: 'This machine', kind: 'local' }];
  if (name === 'processes:list') {
    return {
      capabilities: {
        uid: 1000,
        user: 'dev',
        isRoot: false,
        strace: null,
        straceVersion: null,
        ptraceScope: 1,
        capSysPtrace: false,
      },
      processes: [],
    };
  }
  if (name === 'capture:list') return [];
  return undefined;
}

function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (refuse || url.pathname !== '/ws') {
    socket.destroy();
    return;
  }
  tokens.push(url.searchParams.get('token'));
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data));
      if (msg.kind !== 'request') return;
      const value = answer(msg.name);
      const result =
        value === undefined
          ? { ok: false, error: { code: 'not-supported', message: `no ${msg.name} here` } }
          : { ok: true, value };
      ws.send(encodeFrame({ kind: 'result', seq: msg.seq, result }));
    });
  });
}

async function open(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(8000);
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused/i.test(m.text())) problems.push(m.text());
  });
  await page.goto(`${base}/index.html?token=s3cr%2Bt`);
  return page;
}

beforeAll(async () => {
  await buildRenderer();
  ({ server, base } = await serveRenderer());
  server.on('upgrade', onUpgrade);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const ws of sockets) ws.terminate();
  wss.close();
  await new Promise((ok) => server?.close(ok));
});

describe('the browser mode bridge', () => {
  it('connects with the page token and gets answers over binary frames', async () => {
    const page = await open();
    await expect.poll(() => page.locator('aside').textContent()).toContain('This machine');
    expect(tokens).toContain('s3cr+t');
    expect(await page.locator('.caps').textContent()).toContain('no strace');
    expect(await page.locator('nav .mode').textContent()).toBe('browser mode');
    await page.close();
  });

  it('opens a tab when a capture:update event arrives', async () => {
    const page = await open();
    await expect.poll(() => sockets.size).toBeGreaterThan(0);
    await page.locator('aside').getByText('This machine').waitFor();
    for (const ws of sockets) {
      ws.send(encodeFrame({ kind: 'event', name: 'capture:update', payload: capture }));
    }
    await expect.poll(() => page.locator('nav.tabs').textContent()).toContain('sh');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a banner while the link is down and reconnects by itself', async () => {
    const page = await open();
    await page.locator('aside').getByText('This machine').waitFor();
    for (const ws of sockets) {
      ws.send(encodeFrame({ kind: 'event', name: 'capture:update', payload: capture }));
    }
    await page.locator('nav.tabs').getByText('77').waitFor();
    refuse = true;
    for (const ws of sockets) ws.terminate();
    const banner = page.getByRole('status').filter({ hasText: 'Disconnected' });
    await banner.waitFor();
    await page.screenshot({ path: `${SHOTS}/09-disconnected.png` });
    refuse = false;
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: '⟳ Refresh' }).click();
    await expect.poll(() => page.locator('.caps').textContent()).toContain('ptrace_scope 1');
    expect(problems).toEqual([]);
    await page.close();
  });
});
