// A host reached through a command the user gives (`kubectl exec -i POD --`, `docker exec -i
// NAME`, `nsenter -t PID -p -m --`): every command runs as [...wrapper, ...argv] on this
// machine, so the processes seen are those where the wrapper lands.
import type { HostInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { Host } from './host';
import { createLocalHost } from './local-host';
import { formatArgv } from './command-wrapper';
import { silentLogger, type Logger } from '../log';

export interface CommandHostOptions {
  id: string;
  /** Shown in the host list; the wrapper itself when absent. */
  label?: string;
  logger?: Logger;
}

/**
 * Creates a command host. Commands run without a local shell; the wrapper decides the user
 * (RunOptions.privileged asks nothing more of it: put sudo in the wrapper if root is needed).
 */
export function createCommandHost(wrapper: readonly string[], options: CommandHostOptions): Host {
  if (wrapper.length === 0 || wrapper[0] === '') {
    throw new FdscopeError('bad-request', 'unable to add a command host', {
      reason: 'the wrapper command is empty',
      help: "give one, e.g. 'docker exec -i NAME'",
    });
  }
  const local = createLocalHost(options.logger ?? silentLogger);
  const prefix = [...wrapper];
  const info: HostInfo = {
    id: options.id,
    label: options.label || formatArgv(prefix),
    kind: 'command',
  };
  return {
    info,
    spawn: (argv, runOptions) => local.spawn([...prefix, ...argv], { ...runOptions }),
  };
}
