// The user's own SSH setup: ~/.ssh/config resolved for what they type, the hosts it names, and
// the known-hosts files ssh itself would read for a target.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../log';
import { parseConfigFile, type ParsedConfig } from './config-parse';
import { parseDestination, resolveTarget, type SshTarget } from './config-resolve';

export interface UserConfigOptions {
  /** Defaults to ~/.ssh/config. */
  configPath?: string;
  home?: string;
  logger?: Logger;
}

/** Reads ~/.ssh/config and the files it includes; what it skips is logged, not thrown. */
export function readUserConfig(options: UserConfigOptions = {}): ParsedConfig {
  const home = options.home ?? homedir();
  const path = options.configPath ?? join(home, '.ssh', 'config');
  const config = parseConfigFile(path, { includeBase: join(home, '.ssh') });
  for (const note of config.notes) (options.logger ?? silentLogger).info('ssh:config', note);
  return config;
}

/** Resolves what the user typed: a Host alias, `user@host[:port]` or `ssh://...`. */
export function resolveDestination(text: string, options: UserConfigOptions = {}): SshTarget {
  const config = readUserConfig(options);
  return resolveTarget(parseDestination(text), config, { home: options.home });
}

/** The Host aliases naming one host (no wildcard, no negation), in file order: the host list. */
export function configHostAliases(config: ParsedConfig): string[] {
  const aliases = new Set<string>();
  for (const entry of config.entries) {
    for (const list of entry.hostPatterns) {
      for (const pattern of list.flatMap((p) => p.split(','))) {
        if (pattern && !/[*?!]/.test(pattern)) aliases.add(pattern);
      }
    }
  }
  return [...aliases];
}

/** The user's known-hosts files for a target: its UserKnownHostsFile, else ssh's defaults. */
export function userKnownHostsFiles(target: SshTarget, home = homedir()): string[] {
  const user = target.userKnownHostsFiles ?? [
    join(home, '.ssh', 'known_hosts'),
    join(home, '.ssh', 'known_hosts2'),
  ];
  return [...user, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}
