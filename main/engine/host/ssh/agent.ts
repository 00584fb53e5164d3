// The SSH agent, and IdentitiesOnly: offer only the agent keys whose public halves sit beside
// the configured IdentityFiles (`KEY.pub`), as ssh does. A long agent list otherwise uses up
// the server's MaxAuthTries before the right key is reached.
import { readFileSync } from 'node:fs';
// ssh2 is CommonJS: Node's ESM loader gives it only as a default export, not named ones.
import ssh2, { type BaseAgent, type ParsedKey } from 'ssh2';

/** The agent at a socket, limited to the given key files' public keys when asked. */
export function agentFor(socket: string, onlyFiles: readonly string[] | null): BaseAgent | string {
  if (onlyFiles === null) return socket;
  const allowed = new Set(onlyFiles.flatMap((file) => publicBlob(`${file}.pub`)));
  const inner = new ssh2.OpenSSHAgent(socket);
  const filtered = Object.create(inner) as ssh2.OpenSSHAgent;
  filtered.getIdentities = (cb) =>
    inner.getIdentities((error, keys) => {
      const mine = (keys ?? []).filter((k) => allowed.has(blobOf(k)));
      cb(error ?? undefined, mine);
    });
  return filtered;
}

// Agent keys come parsed, or wrapped with their comment, depending on the agent.
function blobOf(entry: unknown): string {
  const key = entry as Partial<ParsedKey> & { pubKey?: unknown };
  if (typeof key.getPublicSSH === 'function') return key.getPublicSSH().toString('base64');
  return key.pubKey === undefined ? '' : blobOf(key.pubKey);
}

function publicBlob(path: string): string[] {
  try {
    const blob = readFileSync(path, 'utf8').trim().split(/\s+/)[1];
    return blob ? [blob] : [];
  } catch {
    return [];
  }
}
