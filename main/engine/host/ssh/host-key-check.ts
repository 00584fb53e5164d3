// Settles a server's host key before anything secret is sent: known keys pass, changed and
// revoked keys are refused, an unknown key is trusted only when the person accepts it.
import { FdscopeError } from '../../errors';
import type { Logger } from '../../log';
import { fingerprint, keyTypeOf } from './host-key';
import {
  appendKnownHost,
  checkHostKey,
  knownHostsLine,
  knownHostsName,
  readKnownHosts,
} from './known-hosts';
import type { SshPrompter } from './prompter';

export interface KnownHostsFiles {
  /** Read only: the user's files (~/.ssh/known_hosts, ~/.ssh/known_hosts2...). */
  user: readonly string[];
  /** The app's own file: read, and where an accepted key is written. */
  app: string;
}

export interface HostKeyCheckInput {
  host: string;
  port: number;
  files: KnownHostsFiles;
  prompter: SshPrompter;
  logger: Logger;
  jumpFor?: string;
}

/** Decides on a key: resolves when it is trusted, rejects with the reason otherwise. */
export async function settleHostKey(input: HostKeyCheckInput, key: Buffer): Promise<void> {
  const { host, port, files } = input;
  const entries = readKnownHosts([...files.user, files.app]);
  const verdict = checkHostKey(entries, host, port, key);
  const name = knownHostsName(host, port);
  const seen = fingerprint(key);
  const keyType = keyTypeOf(key);

  if (verdict.status === 'known') {
    input.logger.debug('ssh', `host key of ${name} known`, {
      file: verdict.entry.file,
      line: verdict.entry.line,
    });
    return;
  }
  if (verdict.status === 'revoked') {
    const where = `${verdict.entry.file}:${verdict.entry.line}`;
    throw new FdscopeError('host-key-revoked', `unable to connect to ${name}`, {
      reason: `its host key ${seen} is marked @revoked in ${where}`,
      help: 'the server must be given a new host key; ask its administrator',
      fatal: true,
    });
  }
  if (verdict.status === 'changed') {
    const where = `${verdict.entry.file}:${verdict.entry.line}`;
    const was = fingerprint(verdict.entry.key);
    throw new FdscopeError('host-key-changed', `unable to connect to ${name}`, {
      reason:
        `its ${keyType} host key has changed: ${where} records ${was}, ` +
        `the server now shows ${seen}`,
      help:
        'someone may be intercepting the connection, or the host was reinstalled; ' +
        `once you know which, remove line ${verdict.entry.line} of ${verdict.entry.file}`,
      fatal: true,
    });
  }

  const accepted = await input.prompter.hostKey({
    host,
    port,
    knownHostsName: name,
    keyType,
    fingerprint: seen,
    otherKnownTypes: verdict.otherKnownTypes,
    jumpFor: input.jumpFor,
  });
  if (!accepted) {
    throw new FdscopeError('host-key-unknown', `unable to connect to ${name}`, {
      reason: `its host key ${seen} is not trusted`,
      help: 'accept the key after checking its fingerprint with the server administrator',
      fatal: true,
    });
  }
  appendKnownHost(files.app, knownHostsLine(host, port, keyType, key));
  input.logger.info('ssh', `host key of ${name} trusted`, { fingerprint: seen, file: files.app });
}
