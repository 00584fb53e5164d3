// What the UI tests share: build the renderer alone, serve it from loopback,
// and launch the system's Chromium (never a downloaded one).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';

export const SHOTS = '/tmp/fdscope-shots';
export const OUT = resolve('.tmp/renderer-ui-test');

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Builds the renderer into OUT with the tests' own config. */
export async function buildRenderer(): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await build({ configFile: resolve('test/e2e/renderer.vite.config.ts'), logLevel: 'warn' });
}

/** Serves OUT on 127.0.0.1 at a free port; returns the server and its base URL. */
export async function serveRenderer(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    const file = join(OUT, path === '/' ? 'index.html' : path);
    if (!file.startsWith(OUT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, base: `http://127.0.0.1:${port}` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
