// What the real end-to-end tests share: `fdscope serve` started as a user starts it, with its
// own data folder, and a Chromium page on its URL that records every error it shows.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** A running `fdscope serve`, its URL with the token, and its data folder. */
export interface Served {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the built `fdscope serve` on a free loopback port; resolves with its printed URL. */
export async function startServe(env: Record<string, string> = {}): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-e2e-data-'));
  const serve: ChildProcess = spawn(
    process.execPath,
    ['bin/fdscope.js', 'serve', '--port', '0', '--no-open'],
    {
      env: { ...process.env, FDSCOPE_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (found) resolve(found[0]);
    });
    serve.once('exit', (code) => reject(new Error(`fdscope serve exited (${code}): ${out}`)));
  });
  return {
    url,
    dataDir,
    async stop() {
      serve.kill('SIGTERM');
      await new Promise((ok) => (serve.exitCode !== null ? ok(null) : serve.once('exit', ok)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the URL in a new page, after `init` (run in the page before its own code) when given;
 * `problems` collects console errors and page errors.
 */
export async function openPage(
  browser: Browser,
  url: string,
  init?: () => void,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return { page, problems };
}
