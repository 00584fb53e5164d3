// A host reached through a command the user gives (`kubectl exec -i POD --`, `docker exec -i
// NAME`, `nsenter -t PID -p -m --`): every command runs as [...wrapper, ...argv] on this
// machine, so the processes seen are those where the wrapper lands.
import { Transform, type TransformCallback } from 'node:stream';
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
 * Wrappers do not pass signals on: nsenter dies of SIGINT and leaves its child running, kubectl
 * and docker exec drop them. So every command starts under this guard, which says its pid
 * (inside the container, where the command runs) on stderr and becomes the command; a signal is
 * then sent by a second wrapped command, `kill -s SIG PID`, as SSH hosts do.
 */
const GUARD = 'echo "fdscope-guard-pid $$" >&2; exec "$@"';
const PID_LINE = /^fdscope-guard-pid (\d+)\n/;

/**
 * Creates a command host. Commands run without a local shell (the wrapper runs sh on the far
 * side); the wrapper decides the user, so RunOptions.privileged asks nothing more of it: put
 * sudo in the wrapper if root is needed there.
 */
export function createCommandHost(wrapper: readonly string[], options: CommandHostOptions): Host {
  if (wrapper.length === 0 || wrapper[0] === '') {
    throw new FdscopeError('bad-request', 'unable to add a command host', {
      reason: 'the wrapper command is empty',
      help: "give one, e.g. 'docker exec -i NAME'",
    });
  }
  const logger = options.logger ?? silentLogger;
  const local = createLocalHost(logger);
  const prefix = [...wrapper];
  const info: HostInfo = {
    id: options.id,
    label: options.label || formatArgv(prefix),
    kind: 'command',
  };
  const signal = (pid: number, name: NodeJS.Signals): void => {
    // sh's own kill: a container may have no kill program.
    const argv = ['sh', '-c', 'kill -s "$1" "$2"', 'fdscope-kill', name.replace(/^SIG/, '')];
    const kill = local.spawn([...prefix, ...argv, String(pid)]);
    kill.stdout.resume();
    kill.stderr.resume();
  };
  return {
    info,
    spawn: (argv, runOptions: RunOptions = {}) => {
      const guarded = ['sh', '-c', GUARD, 'fdscope-guard', ...argv];
      return guard(local.spawn([...prefix, ...guarded], runOptions), argv, signal);
    },
  };
}

/** The wrapped process, its guard's pid line taken off stderr, its signals sent inside. */
function guard(
  proc: HostProcess,
  argv: readonly string[],
  signal: (pid: number, name: NodeJS.Signals) => void,
): HostProcess {
  let ended = false;
  let pid: number | null = null;
  let pending: NodeJS.Signals | null = null;
  void proc.exited.then(() => (ended = true));
  const stderr = firstLineTaken(proc.stderr, (line) => {
    const match = PID_LINE.exec(line);
    if (!match) return false;
    pid = Number(match[1]);
    if (pending && !ended) signal(pid, pending);
    return true;
  });
  return {
    argv,
    stdout: proc.stdout,
    stderr,
    stdin: proc.stdin,
    exited: proc.exited,
    kill(name = 'SIGTERM') {
      if (ended) return;
      if (pid === null) pending = name;
      else signal(pid, name);
      // The last resort ends the wrapper here too.
      if (name === 'SIGKILL') proc.kill('SIGKILL');
    },
  };
}

/**
 * stderr without the guard's line. The wrapper may print before it (kubectl's warnings), so
 * lines are looked at until it comes, within the first 64 KiB; the others pass as they are.
 */
function firstLineTaken(input: NodeJS.ReadableStream, take: (line: string) => boolean) {
  let head: Buffer | null = Buffer.alloc(0);
  let seen = 0;
  const output = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (head === null) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      for (let newline = head.indexOf(0x0a); newline >= 0; newline = head.indexOf(0x0a)) {
        const line = head.subarray(0, newline + 1);
        head = head.subarray(newline + 1);
        seen += line.length;
        if (take(line.toString('utf8'))) {
          const rest = head;
          head = null;
          return done(null, rest);
        }
        this.push(line);
      }
      if (seen + head.length > 64 * 1024) {
        const rest = head;
        head = null;
        return done(null, rest);
      }
      done();
    },
    flush(done: TransformCallback) {
      done(null, head && head.length > 0 ? head : undefined);
    },
  });
  input.pipe(output);
  return output;
}
