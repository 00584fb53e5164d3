// SSH hosts as the engine makes them: destinations resolved through ~/.ssh/config, keys checked
// against ~/.ssh/known_hosts and the app's own file, questions asked through the prompt broker.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log';
import type { PromptBroker } from '../prompts/prompt-broker';
import { brokerPrompter } from '../prompts/ssh-prompts';
import type { HostLink } from './host-link';
import { SshHost } from './ssh/ssh-host';
import {
  configHostAliases,
  readUserConfig,
  resolveDestination,
  userKnownHostsFiles,
} from './ssh/user-config';

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
  const config = { home, logger: options.logger };

  return {
    create({ id, label, spec }) {
      const target = resolveDestination(spec, config);
      return new SshHost({
        id,
        label,
        target,
        prompter: brokerPrompter(options.prompts),
        knownHosts: {
          user: userKnownHostsFiles(target, home),
          app: join(options.dataDir, 'known_hosts'),
        },
        logger: options.logger,
      });
    },
    configAliases: () => configHostAliases(readUserConfig(config)),
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
