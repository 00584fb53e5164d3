// The one command line sent per exec channel: the user's login shell reads it, reports the
// command's pid on stderr's first line (so kill works where OpenSSH ignores channel signals),
// then replaces itself with the command, every argument quoted.
import { isEnvName, quoteArg, quoteArgv } from './shell-quote';

/** How sudo is put in front of a command. */
export type SudoMode = 'nopasswd' | 'password';

export interface RemoteCommandOptions {
  env?: Record<string, string>;
  sudo?: SudoMode;
  /** The command reads /dev/null unless it is given a stdin (or sudo needs it for a password). */
  stdin?: boolean;
}

/** The line on stderr, before the command's own output, that gives the command's pid. */
export const PID_LINE = /(?:^|(?<=\n))fdscope-pid (\d+)\n/;

/** Builds the command line for argv; throws on an env name that is not a shell name. */
export function remoteCommand(argv: readonly string[], options: RemoteCommandOptions = {}) {
  const words: string[] = [];
  if (options.sudo === 'nopasswd') words.push('sudo -n --');
  // -p '': no prompt on stderr; the password comes on stdin, ahead of anything else.
  if (options.sudo === 'password') words.push("sudo -S -p '' --");
  const env = Object.entries(options.env ?? {});
  if (env.length > 0) {
    for (const [name] of env) {
      if (!isEnvName(name)) throw new Error(`"${name}" is not a valid environment variable name`);
    }
    words.push('env', ...env.map(([name, value]) => quoteArg(`${name}=${value}`)));
  }
  words.push(quoteArgv(argv));
  // Redirected here rather than by ending the channel: ssh2 sends channel signals only on a
  // channel still open for writing.
  if (!options.stdin && options.sudo !== 'password') words.push('</dev/null');
  // $$ is the shell; exec keeps its pid, and sshd made it a process group leader (setsid).
  return `printf 'fdscope-pid %s\\n' "$$" >&2 && exec ${words.join(' ')}`;
}

/** The command that sends a signal to a command's process group (or, failing that, to it). */
export function killCommand(pid: number, signal: string): string {
  const name = signal.replace(/^SIG/, '');
  if (!/^[A-Z0-9]+$/.test(name) || !Number.isInteger(pid) || pid <= 1) {
    throw new Error(`cannot send ${signal} to ${pid}`);
  }
  return `kill -s ${name} -- -${pid} 2>/dev/null || kill -s ${name} ${pid}`;
}
