// known_hosts files as OpenSSH reads them: comma lists of patterns (wildcards, negation),
// hashed `|1|salt|hash` names, `[host]:port` for other ports, @revoked and @cert-authority.
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchesPatternList } from './config-resolve';
import { keyTypeOf } from './host-key';

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written (a pattern list or one hashed name). */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** What the files say about a host's key. */
export type KnownHostsVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'unknown'; otherKnownTypes: string[] };

/** The name a host is recorded under: the host alone on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parses known_hosts text; lines that are not host keys are skipped. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    if (fields.length < 3) return;
    const [hosts, keyType, base64] = fields;
    const key = Buffer.from(base64, 'base64');
    if (key.length === 0) return;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** Reads the files (a missing one is empty) in order. */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return parseKnownHosts(text, file);
  });
}

/** True when the entry's host field names this host (`host` or `[host]:port`). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return matchesPatternList(name, [entry.hosts]);
}

/** Decides what a server's key is for a host: known, revoked, changed, or unknown. */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): KnownHostsVerdict {
  const name = knownHostsName(host, port);
  const mine = entries.filter((e) => entryMatches(e, name));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };

  // Certificate authorities vouch for certificates, which fdscope does not use: skipped.
  const plain = mine.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const keyType = keyTypeOf(key);
  const changed = plain.find((e) => e.keyType === keyType);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', otherKnownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** The key types known for a host, to ask the server for one of them first, as ssh does. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number) {
  const name = knownHostsName(host, port);
  const types = entries.filter((e) => e.marker === null && entryMatches(e, name));
  return [...new Set(types.map((e) => e.keyType))];
}

/** One known_hosts line for a trusted key. */
export function knownHostsLine(host: string, port: number, keyType: string, key: Buffer): string {
  return `${knownHostsName(host, port)} ${keyType} ${key.toString('base64')}\n`;
}

/** Appends a trusted key to a known_hosts file (created 0600, with its folder). */
export function appendKnownHost(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let before = '';
  try {
    // A file whose last line has no newline would otherwise have its line glued to ours.
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) before = '\n';
  } catch {
    // a new file
  }
  appendFileSync(file, before + line, { mode: 0o600 });
}
