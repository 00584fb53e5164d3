// A host reached through a command the user gives (`kubectl exec -i POD --`, `docker exec -i
// NAME`, `nsenter -t PID -p -m --`): every command runs as [...wrapper, ...argv] on this
// machine, so the processes seen are those where the wrapper lands.
import type { HostInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { formatArgv } from './command-wrapper';
import type { Host, HostProcess, RunOptions } from './host';
import { createLocalHost } from './local-host';

export interface CommandHostOptions {
  id: string;
  /** Shown in the host list; the wrapper itself when absent. */
  label?: string;
  logger?: Logger;
}

/**
 * Wrappers do not pass signals on (nsenter waits for its child and ignores SIGINT; kubectl and
 * docker exec drop them), so a command that takes no stdin runs under this guard: the
 * signal's name written on stdin is sent to the command where it runs, and the end of stdin
 * (the wrapper gone, or this process) ends the command there.
 */
const GUARD = `"$@" </dev/null 3<&- &
c=$!
exec 3<&0
{ while read -r s; do kill -s "$s" "$c"; done; kill -s TERM "$c"; } <&3 >/dev/null 2>&1 &
w=$!
exec 3<&-
wait "$c"
r=$?
kill "$w" 2>/dev/null
exit "$r"
`;

/**
 * Creates a command host. Commands run without a local shell (the wrapper itself runs sh on the
 * far side); the wrapper decides the user, so RunOptions.privileged asks nothing more of it:
 * put sudo in the wrapper if root is needed there.
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
    spawn: (argv, runOptions: RunOptions = {}) => {
      // A command that wants stdin keeps it, and must watch it to end itself (the remote
      // capture scripts do).
      if (runOptions.stdin) return local.spawn([...prefix, ...argv], runOptions);
      const guarded = ['sh', '-c', GUARD, 'fdscope-guard', ...argv];
      return guard(local.spawn([...prefix, ...guarded], { ...runOptions, stdin: true }), argv);
    },
  };
}

function guard(proc: HostProcess, argv: readonly string[]): HostProcess {
  let ended = false;
  void proc.exited.then(() => {
    ended = true;
    proc.stdin?.end();
  });
  proc.stdin?.on('error', () => undefined);
  return {
    argv,
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: null,
    exited: proc.exited,
    kill(signal = 'SIGTERM') {
      if (ended) return;
      if (signal === 'SIGKILL') {
        // The last resort: end stdin (the guard ends the command) and the wrapper itself.
        proc.stdin?.end();
        proc.kill('SIGKILL');
        return;
      }
      proc.stdin?.write(`${signal.replace(/^SIG/, '')}\n`);
    },
  };
}
