// Deciding how to run a command as root over SSH: `sudo -n` where it needs no password, else
// the password (asked once, kept in memory) written to `sudo -S` on stdin.
import { FdscopeError } from '../../errors';
import type { Host } from '../host';
import { collect } from './collect';
import type { SshPrompter } from './prompter';
import type { SudoMode } from './remote-command';

export interface SudoAccess {
  mode: SudoMode;
  password?: string;
}

export interface SudoProbeInput {
  /** Runs a command without sudo on the host. */
  host: Host;
  prompter: SshPrompter;
  where: { user: string; host: string; port: number };
  /** A password that worked before, tried first. */
  cachedPassword?: string;
}

const ATTEMPTS = 3;

/** Finds out how sudo can be used; throws a user error when it is missing or refuses. */
export async function probeSudo(input: SudoProbeInput): Promise<SudoAccess> {
  const name = `${input.where.user}@${input.where.host}`;
  const plain = await collect(input.host.spawn(['sudo', '-n', 'true']));
  if (plain.code === 0) return { mode: 'nopasswd' };
  if (plain.code === 127 || /not found/i.test(plain.stderr)) {
    throw new FdscopeError('sudo-missing', `unable to run as root on ${name}`, {
      reason: 'sudo is not installed there',
      help: 'install sudo on the host, or log in as root',
    });
  }
  if (!/password is required/i.test(plain.stderr)) throw refused(name, plain.stderr);

  let password = input.cachedPassword;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (password === undefined || attempt > 0) {
      const asked = await input.prompter.password({
        ...input.where,
        purpose: 'sudo',
        retry: attempt > 0,
      });
      if (asked === null) {
        throw new FdscopeError('sudo-refused', `unable to run as root on ${name}`, {
          reason: "sudo's password was not given",
          help: 'give the password, or allow the command without one (NOPASSWD) in sudoers',
        });
      }
      password = asked;
    }
    const check = await collect(
      input.host.spawn(['sudo', '-S', '-p', '', 'true'], { stdin: true }),
      `${password}\n`,
    );
    if (check.code === 0) return { mode: 'password', password };
    if (!/incorrect password|try again|no password was provided/i.test(check.stderr)) {
      throw refused(name, check.stderr);
    }
  }
  throw new FdscopeError('sudo-refused', `unable to run as root on ${name}`, {
    reason: `sudo refused the password ${ATTEMPTS} times`,
    help: 'check the password of the login user on that host',
  });
}

function refused(name: string, stderr: string): FdscopeError {
  const said = stderr.trim().split('\n').pop() ?? '';
  return new FdscopeError('sudo-refused', `unable to run as root on ${name}`, {
    reason: said ? `sudo says: ${said.replace(/^sudo: /, '')}` : 'sudo refused',
    help: 'ask the host administrator to allow this user to run commands through sudo',
    details: stderr,
  });
}
