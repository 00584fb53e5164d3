// The hosts a user added, kept in the data folder so they are there at the next start. Only
// what identifies a host is kept: never a password, a passphrase or a key.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddHostRequest } from '../../../preload/contract';
import type { Logger } from '../log';

const FILE = 'hosts.json';

/** Reads the saved hosts; a missing file is none, a broken one is logged and read as none. */
export function readSavedHosts(dataDir: string, logger?: Logger): AddHostRequest[] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, FILE), 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { hosts?: unknown };
    const hosts = Array.isArray(parsed.hosts) ? parsed.hosts : [];
    return hosts.filter(isSavedHost).map(({ kind, label, spec }) => ({ kind, label, spec }));
  } catch (error) {
    logger?.warn('hosts', `${FILE} is not valid JSON; starting without saved hosts`, {
      error: String(error),
    });
    return [];
  }
}

/** Writes the saved hosts atomically (write, then rename), so a crash never halves the file. */
export function writeSavedHosts(dataDir: string, hosts: readonly AddHostRequest[]): void {
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, JSON.stringify({ version: 1, hosts }, null, 2) + '\n', {
    mode: 0o600,
  });
  renameSync(`${path}.tmp`, path);
}

function isSavedHost(value: unknown): value is AddHostRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.kind === 'ssh' || v.kind === 'command') &&
    typeof v.label === 'string' &&
    typeof v.spec === 'string' &&
    v.spec.length > 0
  );
}
