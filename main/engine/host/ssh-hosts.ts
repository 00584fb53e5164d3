// SSH hosts as the engine makes them: destinations resolved through ~/.ssh/config, keys checked
// against ~/.ssh/known_hosts and the app's own file, questions asked through the prompt broker.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log';
import type { PromptBroker } from '../prompts/prompt-broker';
import { brokerPrompter } from '../prompts/ssh-prompts';
import type { HostLink } from './host-link';
import { parseConfigFile, type ParsedConfig } from './ssh/config-parse';
import { parseDestination, resolveTarget } from './ssh/config-resolve';
import { SshHost } from './ssh/ssh-host';

export interface SshHostsOptions {
  prompts: PromptBroker;
  /** The app's data folder: its known_hosts file, for keys the user accepted in fdscope. */
  dataDir: string;
  /** The home whose ~/.ssh is read (the user's own, unless a test gives another). */
  home?: string;
  logger?: Logger;
}

/** What the engine needs to make SSH hosts and list the config's aliases. */
export interface SshHosts {
  create(request: { id: string; label: string; spec: string }): SshHost;
  /** The concrete Host aliases of ~/.ssh/config (no wildcards), in file order. */
  configAliases(): string[];
}

/** Makes SSH hosts for one engine; ~/.ssh/config is read again for each, so edits apply. */
export function sshHosts(options: SshHostsOptions): SshHosts {
  const home = options.home ?? homedir();
  const sshDir = join(home, '.ssh');
  const readConfig = (): ParsedConfig =>
    parseConfigFile(join(sshDir, 'config'), { includeBase: sshDir });

  return {
    create({ id, label, spec }) {
      const config = readConfig();
      for (const note of config.notes) options.logger?.info('ssh', note);
      const target = resolveTarget(parseDestination(spec), config, {
        home,
        localUser: userInfo().username,
      });
      const defaults = [join(sshDir, 'known_hosts'), join(sshDir, 'known_hosts2')];
      return new SshHost({
        id,
        label,
        target,
        prompter: brokerPrompter(options.prompts),
        knownHosts: {
          user: target.userKnownHostsFiles ?? defaults,
          app: join(options.dataDir, 'known_hosts'),
        },
        logger: options.logger,
      });
    },
    configAliases() {
      const aliases: string[] = [];
      for (const entry of readConfig().entries) {
        if (entry.keyword !== 'host') continue;
        for (const pattern of entry.args) {
          if (/[*?!]/.test(pattern) || aliases.includes(pattern)) continue;
          aliases.push(pattern);
        }
      }
      return aliases;
    },
  };
}

/** An SSH host's link as a capture sees it: lost, and made again. */
export function sshLink(host: SshHost): HostLink {
  return {
    get lost() {
      return host.state === 'lost';
    },
    onLost(listener) {
      const onLost = (error: Error) => listener(error.message);
      host.on('lost', onLost);
      return () => host.off('lost', onLost);
    },
    reconnect: (signal) => host.reconnect({ signal }),
  };
}
