// Opens one SSH connection (directly, or over a stream from a jump host), and a chain of them
// for ProxyJump; each hop's host key is settled under its own name and port before login.
import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: Node's ESM loader gives it only as a default export, not named ones.
import ssh2, { type ConnectConfig } from 'ssh2';
import type { BaseAgent } from 'ssh2';
import { agentFor } from './agent';
import { FdscopeError } from '../../errors';
import type { Logger } from '../../log';
import { createAuthenticator, type SecretCache } from './auth';
import type { SshTarget } from './config-resolve';
import { settleHostKey, type KnownHostsFiles } from './host-key-check';
import { knownKeyTypes, readKnownHosts } from './known-hosts';
import type { SshPrompter } from './prompter';
import { pausableTimer, type PausableTimer } from './waiting';

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
  client: ssh2.Client;
  hops: ssh2.Client[];
  /** Ends every connection of the chain. */
  end(): void;
}

// The host key algorithms ssh2 offers, by known_hosts key type; an RSA key signs with any of
// three. Types ssh2 cannot verify (security keys, DSA) are left out of the preference.
const ALGORITHMS_OF: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Connects through the target's jump hosts, in order, to the target itself. */
export async function openLink(target: SshTarget, settings: LinkSettings): Promise<Link> {
  const hops: ssh2.Client[] = [];
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

function forward(client: ssh2.Client, next: SshTarget): Promise<Duplex> {
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
): Promise<ssh2.Client> {
  const { hostName: host, port, user } = target;
  const secretsKey = `${user}@${host}:${port}`;
  const secrets = settings.secrets.get(secretsKey) ?? { keys: new Map() };
  settings.secrets.set(secretsKey, secrets);
  const client = new ssh2.Client();
  // ssh2's readyTimeout would also count the time a person takes to answer a question (the
  // host key, a password): this timer stops while one is asked.
  const timer = pausableTimer(settings.readyTimeoutMs, () => {
    client.emit('error', new Error(`no answer within ${settings.readyTimeoutMs / 1000} s`));
    client.destroy();
  });
  const prompter = pausing(settings.prompter, timer);
  const auth = createAuthenticator({
    user,
    host,
    port,
    identityFiles: target.identityFiles,
    agent: agentOf(target, settings.agent),
    prompter,
    secrets,
    logger: settings.logger,
  });
  let hostKeyError: FdscopeError | null = null;
  const files = settings.knownHosts;
  const known = knownKeyTypes(readKnownHosts([...files.user, files.app]), host, port);
  const config: ConnectConfig = {
    host,
    port,
    username: user,
    sock,
    readyTimeout: 0,
    keepaliveInterval: settings.keepaliveIntervalMs,
    keepaliveCountMax: settings.keepaliveCountMax,
    authHandler: auth.handler,
    // The two-argument form waits for our answer, which may be the person's, before login.
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const input = { host, port, files, prompter, logger: settings.logger };
      settleHostKey({ ...input, jumpFor }, key).then(
        () => verify(true),
        (error: FdscopeError) => {
          hostKeyError = error;
          verify(false);
        },
      );
    },
  };
  // As ssh does: ask the server for a key type already known, so a known host is not
  // mistaken for an unknown one because it also has a key of another type.
  const prepend = known.flatMap((t) => ALGORITHMS_OF[t] ?? []);
  if (prepend.length > 0) {
    // ssh2's prepend skips what the list already holds: remove first (keys apply in order).
    config.algorithms = { serverHostKey: { remove: prepend, prepend } as never };
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    // One listener for the client's whole life: after the first error or 'ready', further
    // errors (a reset after a refused key, a keepalive timeout) are only logged; the host
    // learns of a dead link from 'close'. Without a listener they would be thrown.
    client.on('error', (error: Error & { level?: string }) => {
      if (settled) return settings.logger.debug('ssh', `${secretsKey}: ${error.message}`);
      settled = true;
      timer.clear();
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
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      timer.clear();
      settings.logger.info('ssh', `connected to ${secretsKey}`, { via: sock ? 'jump' : 'tcp' });
      resolve(client);
    });
    client.connect(config);
  });
}

function agentOf(target: SshTarget, fallback: string | null): BaseAgent | string | null {
  const named = target.identityAgent;
  let socket: string | null;
  if (named === null) socket = fallback;
  else if (named.toLowerCase() === 'none') socket = null;
  else if (named === 'SSH_AUTH_SOCK') socket = process.env.SSH_AUTH_SOCK ?? null;
  else socket = named.startsWith('$') ? (process.env[named.slice(1)] ?? null) : named;
  if (socket === null) return null;
  return agentFor(socket, target.identitiesOnly ? target.identityFiles : null);
}

function pausing(prompter: SshPrompter, timer: PausableTimer): SshPrompter {
  return {
    hostKey: (q) => timer.hold(prompter.hostKey(q)),
    password: (q) => timer.hold(prompter.password(q)),
    passphrase: (q) => timer.hold(prompter.passphrase(q)),
    keyboardInteractive: (q) => timer.hold(prompter.keyboardInteractive(q)),
  };
}
