// meta.json: what a capture was (target, method, state), rewritten as it changes,
// so a capture can be listed and read after the app is closed or has crashed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CaptureInfo } from '../../../preload/contract';
import { FILES } from './records';

/** The process a capture was taken from, kept for the diagnosis. */
export interface CapturedProcess {
  argv: string[];
  exe: string;
  comm: string;
}

export interface StoredMeta {
  version: 1;
  info: CaptureInfo;
  process: CapturedProcess;
}

/** A new capture id: sortable by time, readable, unique. */
export function newCaptureId(pid: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${pid}-${randomBytes(3).toString('hex')}`;
}

/** Writes meta.json atomically (write then rename), so a crash never leaves half a file. */
export function writeMeta(dir: string, meta: StoredMeta): void {
  const path = join(dir, FILES.meta);
  writeFileSync(`${path}.tmp`, JSON.stringify(meta, null, 1));
  renameSync(`${path}.tmp`, path);
}

/** Reads meta.json, or null when the folder holds no readable capture. */
export function readMeta(dir: string): StoredMeta | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, FILES.meta), 'utf8')) as StoredMeta;
    return meta.version === 1 && typeof meta.info?.id === 'string' ? meta : null;
  } catch {
    return null;
  }
}
