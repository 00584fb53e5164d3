// Opens one SSH connection (directly, or over a stream from a jump host), and a chain of them
// for ProxyJump; each hop's host key is settled under its own name and port before login.
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { FdscopeError } from '../../errors';
import type { Logger } from '../../log';
import { createAuthenticator, type SecretCache } from './auth';
import type { SshTarget } from './config-resolve';
import { settleHostKey, type KnownHostsFiles } from './host-key-check';
import { knownKeyTypes, readKnownHosts } from './known-hosts';
import type { SshPrompter } from './prompter';

export interface LinkSettings {
  prompter: SshPrompter;
  knownHosts: KnownHostsFiles;
  /** The agent socket (SSH_AUTH_SOCK), or null for none. */
  agent: string | null;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  readyTimeoutMs: number;
  logger: Logger;
  /** Secrets per `user@host:port`, kept in memory for reconnects. */
  secrets: Map<string, SecretCache>;
}

/** An open chain: the last client runs commands; the others carry it. */
export interface Link {
  client: Client;
  hops: Client[];
  /** Ends every connection of the chain. */
  end(): void;
}

// ssh2 names RSA host key algorithms by signature; a known ssh-rsa key means any of them.
const ALGORITHMS_OF: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Connects through the target's jump hosts, in order, to the target itself. */
export async function openLink(target: SshTarget, settings: LinkSettings): Promise<Link> {
  const hops: Client[] = [];
  const end = (): void => hops.forEach((c) => c.end());
  try {
    let sock: Duplex | undefined;
    const chain = [...target.jumps, target];
    for (let i = 0; i < chain.length; i++) {
      const hop = chain[i];
      const jumpFor = i < chain.length - 1 ? `${target.hostName}:${target.port}` : undefined;
      hops.push(await connectOne(hop, settings, sock, jumpFor));
      if (i < chain.length - 1) sock = await forward(hops[i], chain[i + 1]);
    }
  } catch (error) {
    end();
    throw error;
  }
  return { client: hops[hops.length - 1], hops, end };
}

function forward(client: Client, next: SshTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      if (error) {
        const name = `${next.hostName}:${next.port}`;
        reject(
          new FdscopeError('ssh-connect', `unable to reach ${name} through the jump host`, {
            reason: error.message,
            help: 'check that the jump host can reach it and allows TCP forwarding',
            fatal: true,
            cause: error,
          }),
        );
      } else resolve(stream);
    });
  });
}

function connectOne(
  target: SshTarget,
  settings: LinkSettings,
  sock: Duplex | undefined,
  jumpFor: string | undefined,
): Promise<Client> {
  const { hostName: host, port, user } = target;
  const secretsKey = `${user}@${host}:${port}`;
  const secrets = settings.secrets.get(secretsKey) ?? { keys: new Map() };
  settings.secrets.set(secretsKey, secrets);
  const auth = createAuthenticator({
    user,
    host,
    port,
    identityFiles: target.identityFiles,
    agent: agentFor(target, settings.agent),
    prompter: settings.prompter,
    secrets,
    logger: settings.logger,
  });
  const client = new Client();
  let hostKeyError: FdscopeError | null = null;
  const files = settings.knownHosts;
  const known = knownKeyTypes(readKnownHosts([...files.user, files.app]), host, port);
  const config: ConnectConfig = {
    host,
    port,
    username: user,
    sock,
    readyTimeout: settings.readyTimeoutMs,
    keepaliveInterval: settings.keepaliveIntervalMs,
    keepaliveCountMax: settings.keepaliveCountMax,
    authHandler: auth.handler,
    // The two-argument form waits for our answer, which may be the person's, before login.
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const input = { host, port, files, prompter: settings.prompter, logger: settings.logger };
      settleHostKey({ ...input, jumpFor }, key).then(
        () => verify(true),
        (error: FdscopeError) => {
          hostKeyError = error;
          verify(false);
        },
      );
    },
  };
  if (known.length > 0) {
    // As ssh does: ask the server for a key type already known, so a known host is not
    // mistaken for an unknown one because it also has a key of another type.
    const prepend = known.flatMap((t) => ALGORITHMS_OF[t] ?? [t]);
    config.algorithms = { serverHostKey: { prepend } as never };
  }
  return new Promise((resolve, reject) => {
    const fail = (error: Error & { level?: string }): void => {
      client.removeAllListeners('ready');
      client.end();
      if (hostKeyError) return reject(hostKeyError);
      if (error.level === 'client-authentication') return reject(auth.failure());
      reject(
        new FdscopeError('ssh-connect', `unable to connect to ${host}:${port}`, {
          reason: error.message,
          help: 'check the host name and port, and that sshd runs there',
          fatal: true,
          cause: error,
        }),
      );
    };
    client.once('error', fail);
    client.once('ready', () => {
      client.off('error', fail);
      settings.logger.info('ssh', `connected to ${secretsKey}`, { via: sock ? 'jump' : 'tcp' });
      resolve(client);
    });
    client.connect(config);
  });
}

function agentFor(target: SshTarget, fallback: string | null): string | null {
  const named = target.identityAgent;
  if (named === null) return fallback;
  if (named.toLowerCase() === 'none') return null;
  if (named === 'SSH_AUTH_SOCK') return process.env.SSH_AUTH_SOCK ?? null;
  return named.startsWith('$') ? (process.env[named.slice(1)] ?? null) : named;
}
