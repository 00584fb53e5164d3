// The hosts an engine knows: this machine, and those added by the user (command wrappers now,
// SSH through the factory the SSH layer gives).
import type { AddHostRequest, HostInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createCommandHost } from './command-host';
import { parseWrapper } from './command-wrapper';
import type { Host } from './host';
import { LOCAL_HOST_ID, createLocalHost } from './local-host';
import { readSavedHosts, writeSavedHosts } from './saved-hosts';

/** Makes an SSH host from an added host's id, label and spec (alias or user@host[:port]). */
export type SshHostFactory = (request: {
  id: string;
  label: string;
  spec: string;
}) => Host | Promise<Host>;

/** A host that holds a connection to close when it is removed (SshHost). */
interface Closable {
  close?(): Promise<void> | void;
}

/** Where added hosts are kept, and where ~/.ssh/config's hosts are listed from. */
export interface RegistrySettings {
  /** The data folder: added hosts are kept in its hosts.json. */
  dataDir: string;
  /** The concrete Host aliases of ~/.ssh/config, listed as hosts ready to use. */
  configAliases?: () => string[];
}

const CONFIG_PREFIX = 'ssh-config:';

/** The registry of one engine. */
export class HostRegistry {
  private readonly hosts = new Map<string, Host>();
  private readonly added: (AddHostRequest & { id: string })[] = [];
  private counter = 0;

  constructor(
    private readonly logger: Logger = silentLogger,
    private readonly sshFactory?: SshHostFactory,
    private readonly settings?: RegistrySettings,
  ) {
    this.hosts.set(LOCAL_HOST_ID, createLocalHost(logger));
  }

  /** Adds again the hosts kept from earlier runs; one that no longer works is logged, skipped. */
  async restore(): Promise<void> {
    if (!this.settings) return;
    for (const saved of readSavedHosts(this.settings.dataDir, this.logger)) {
      try {
        await this.add(saved, false);
      } catch (error) {
        this.logger.warn('hosts', `saved host "${saved.spec}" was not restored`, {
          error: String(error),
        });
      }
    }
  }

  /** This machine, the added hosts, then ~/.ssh/config's hosts not yet connected. */
  list(): HostInfo[] {
    const infos = [...this.hosts.values()].map((h) => h.info);
    if (!this.sshFactory) return infos;
    for (const alias of this.configAliases()) {
      const id = CONFIG_PREFIX + alias;
      if (!this.hosts.has(id)) infos.push({ id, label: alias, kind: 'ssh', origin: 'config' });
    }
    return infos;
  }

  /** The host with this id, or 'no-such-host' naming those that exist. */
  get(id: string): Host {
    const host = this.hosts.get(id) ?? this.fromConfig(id);
    if (host) return host;
    throw new FdscopeError('no-such-host', `unable to find host "${id}"`, {
      reason: `the hosts are ${[...this.hosts.keys()].map((k) => `"${k}"`).join(', ')}`,
      help: 'add it first (hosts:add), or pick one of those',
    });
  }

  /** Adds a host, and keeps it in the settings unless told not to (when restoring). */
  async add(request: AddHostRequest, keep = true): Promise<HostInfo> {
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
    host.info.origin = 'added';
    this.hosts.set(id, host);
    this.added.push({ ...request, id });
    if (keep) this.save();
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
    if (id.startsWith(CONFIG_PREFIX)) {
      throw new FdscopeError(
        'bad-request',
        `unable to remove "${id.slice(CONFIG_PREFIX.length)}"`,
        {
          reason: 'it is a Host in ~/.ssh/config',
          help: 'remove it from ~/.ssh/config to take it off the list',
        },
      );
    }
    const host = this.get(id);
    this.hosts.delete(id);
    const at = this.added.findIndex((h) => h.id === id);
    if (at >= 0) {
      this.added.splice(at, 1);
      this.save();
    }
    await (host as Host & Closable).close?.();
  }

  /** Closes every host's connection; the settings keep the added ones for the next run. */
  async close(): Promise<void> {
    for (const [id, host] of this.hosts) {
      if (id !== LOCAL_HOST_ID) await (host as Host & Closable).close?.();
    }
    this.hosts.clear();
  }

  private configAliases(): string[] {
    try {
      return this.settings?.configAliases?.() ?? [];
    } catch (error) {
      this.logger.warn('hosts', 'could not read ~/.ssh/config', { error: String(error) });
      return [];
    }
  }

  /** A ~/.ssh/config host is made on first use and kept, so its connection is reused. */
  private fromConfig(id: string): Host | null {
    if (!id.startsWith(CONFIG_PREFIX) || !this.sshFactory) return null;
    const alias = id.slice(CONFIG_PREFIX.length);
    if (!this.configAliases().includes(alias)) return null;
    const made = this.sshFactory({ id, label: alias, spec: alias });
    if (made instanceof Promise) return null;
    made.info.origin = 'config';
    this.hosts.set(id, made);
    return made;
  }

  private save(): void {
    if (!this.settings) return;
    const kept = this.added.map(({ kind, label, spec }) => ({ kind, label, spec }));
    writeSavedHosts(this.settings.dataDir, kept);
  }
}
