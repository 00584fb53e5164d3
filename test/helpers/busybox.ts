// A folder of busybox applet links, so a test can run a script with busybox's tools only
// (PATH set to that folder alone): what a minimal remote host or container offers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BusyboxDir {
  dir: string;
  remove(): void;
}

/** Makes the folder; throws, saying what to install, when busybox is missing. */
export function busyboxDir(): BusyboxDir {
  let list: string;
  try {
    list = execFileSync('busybox', ['--list'], { encoding: 'utf8' });
  } catch {
    throw new Error('busybox is not installed: run "bash .ci/deps" (as root) first');
  }
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-busybox-'));
  for (const applet of list.split('\n').filter(Boolean)) {
    symlinkSync(busybox, join(dir, applet));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
