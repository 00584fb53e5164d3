// Opens the browser mode's URL without putting its token on a command line:
// argv is readable by every local user through /proc, and the token is what
// keeps them out of the server. xdg-open gets a private file that redirects.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How long the redirect file is kept for the browser to read it. */
const KEEP_MS = 60_000;

/** Opens url with xdg-open; resolves false when xdg-open could not be started. */
export function openBrowser(url: string): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-open-'));
  const file = join(dir, 'open.html');
  const escaped = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escaped}">` +
      '<title>fdscope</title>\n',
    { mode: 0o600 },
  );
  const cleanup = setTimeout(() => rmSync(dir, { recursive: true, force: true }), KEEP_MS);
  cleanup.unref();

  return new Promise((resolve) => {
    const child = spawn('xdg-open', [pathToFileURL(file).href], {
      stdio: 'ignore',
      detached: true,
    });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
