// The hosts an engine knows: this machine, and those added by the user (command wrappers now,
// SSH through the factory the SSH layer gives).
import type { AddHostRequest, HostInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createCommandHost } from './command-host';
import { parseWrapper } from './command-wrapper';
import type { Host, RunOptions } from './host';
import { LOCAL_HOST_ID, createLocalHost } from './local-host';
import type { SshHosts, SshHostsOptions } from './ssh-hosts';

/** Makes an SSH host from an added host's id, label and spec (alias or user@host[:port]). */
export type SshHostFactory = (request: {
  id: string;
  label: string;
  spec: string;
}) => Host | Promise<Host>;

/**
 * The engine's SSH factory: ~/.ssh/config resolved by the SSH layer, and RunOptions.privileged
 * (what the capture code asks for) carried over to the SSH host's own `sudo` option.
 */
export function sshFactory(ssh: SshHosts): SshHostFactory {
  return (request) => {
    const host = ssh.create(request);
    const spawn = host.spawn.bind(host);
    host.spawn = (argv: readonly string[], options: RunOptions & { sudo?: boolean } = {}) =>
      spawn(argv, { ...options, sudo: options.sudo ?? options.privileged });
    return host;
  };
}

/**
 * sshFactory with the SSH layer loaded on the first SSH host only: ssh2 stays out of the way
 * of this machine and command hosts (and of a build where it cannot load).
 */
export function lazySshFactory(options: SshHostsOptions): SshHostFactory {
  let factory: Promise<SshHostFactory> | null = null;
  return async (request) => {
    factory ??= import('./ssh-hosts').then(
      (m) => sshFactory(m.sshHosts(options)),
      (error: unknown) => {
        factory = null;
        throw new FdscopeError('not-supported', `unable to add the SSH host "${request.spec}"`, {
          reason: `the SSH layer could not be loaded: ${(error as Error).message.split('\n')[0]}`,
          help: 'reach the host through a command host meanwhile: --host "exec:ssh HOST --"',
          cause: error,
        });
      },
    );
    return (await factory)(request);
  };
}

/** A host that holds a connection to close when it is removed (SshHost). */
interface Closable {
  close?(): Promise<void> | void;
}

/** The registry of one engine. */
export class HostRegistry {
  private readonly hosts = new Map<string, Host>();
  private counter = 0;

  constructor(
    private readonly logger: Logger = silentLogger,
    private readonly sshFactory?: SshHostFactory,
  ) {
    this.hosts.set(LOCAL_HOST_ID, createLocalHost(logger));
  }

  list(): HostInfo[] {
    return [...this.hosts.values()].map((h) => h.info);
  }

  /** The host with this id, or 'no-such-host' naming those that exist. */
  get(id: string): Host {
    const host = this.hosts.get(id);
    if (host) return host;
    throw new FdscopeError('no-such-host', `unable to find host "${id}"`, {
      reason: `the hosts are ${[...this.hosts.keys()].map((k) => `"${k}"`).join(', ')}`,
      help: 'add it first (hosts:add), or pick one of those',
    });
  }

  async add(request: AddHostRequest): Promise<HostInfo> {
    const id = `${request.kind}-${++this.counter}`;
    const label = request.label.trim() || request.spec.trim();
    let host: Host;
    if (request.kind === 'command') {
      host = createCommandHost(parseWrapper(request.spec), { id, label, logger: this.logger });
    } else {
      if (!this.sshFactory) {
        throw new FdscopeError('not-supported', `unable to add the SSH host "${request.spec}"`, {
          reason: 'SSH hosts are not wired yet in this build',
          help: 'reach the host through a command host instead, e.g. exec:ssh HOST --',
        });
      }
      host = await this.sshFactory({ id, label, spec: request.spec });
    }
    this.hosts.set(id, host);
    this.logger.info('hosts', `added ${host.info.kind} host ${label}`, { id });
    return host.info;
  }

  /** Forgets a host and closes its connection; this machine stays. */
  async remove(id: string): Promise<void> {
    if (id === LOCAL_HOST_ID) {
      throw new FdscopeError('bad-request', 'unable to remove this machine', {
        reason: 'it is always a host',
      });
    }
    const host = this.get(id);
    this.hosts.delete(id);
    await (host as Host & Closable).close?.();
  }

  /** Closes every added host's connection. */
  async close(): Promise<void> {
    for (const id of [...this.hosts.keys()]) if (id !== LOCAL_HOST_ID) await this.remove(id);
  }
}
