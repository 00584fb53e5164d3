// fdscope serve, built: one URL line, the UI behind its token, a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('fdscope serve', () => {
  it('prints its URL, serves the UI for the token only, and exits 0 on SIGTERM', async () => {
    if (!existsSync('out/main/cli.js'))
      throw new Error('out/main/cli.js is missing: npm run build');
    const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-serve-'));
    const child = spawn(process.execPath, ['bin/fdscope.js', 'serve', '--no-open'], {
      env: { ...process.env, FDSCOPE_DATA_DIR: dataDir, FDSCOPE_LOG: 'off' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    while (!out.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = new URL(out.trim());
    const page = await fetch(url);
    const refused = await fetch(url.origin + '/');
    child.kill('SIGTERM');

    expect(out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}\n$/);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(refused.status).toBe(401);
    expect(await exited).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
