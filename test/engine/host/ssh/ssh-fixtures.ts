// Shared pieces of the SSH tests: a target for a test sshd, known-hosts files that trust it,
// a prompter that answers from a script and records what it was asked, and a real ssh-agent.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshTarget } from '../../../../main/engine/host/ssh/config-resolve';
import type { KnownHostsFiles } from '../../../../main/engine/host/ssh/host-key-check';
import type {
  HostKeyQuestion,
  KeyboardInteractiveQuestion,
  PassphraseQuestion,
  PasswordQuestion,
  SshPrompter,
} from '../../../../main/engine/host/ssh/prompter';
import { SshHost, type SshHostOptions } from '../../../../main/engine/host/ssh/ssh-host';
import { TEST_USER, type Sshd } from '../../../helpers/sshd';

/** A target for the test user on a test sshd, with no key files unless given. */
export function targetFor(sshd: { port: number }, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    alias: '127.0.0.1',
    hostName: '127.0.0.1',
    user: TEST_USER,
    port: sshd.port,
    identityFiles: [],
    identitiesOnly: false,
    identityAgent: null,
    jumps: [],
    serverAliveIntervalS: null,
    serverAliveCountMax: null,
    userKnownHostsFiles: null,
    ...overrides,
  };
}

/** A temp folder for known-hosts files, removed by cleanup(). */
export function scratch(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-sshtest-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Known-hosts files where the user's file already trusts these sshds (by `[host]:port`). */
export function trusting(dir: string, ...servers: Sshd[]): KnownHostsFiles {
  const user = join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
  const lines = servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey()}\n`);
  writeFileSync(user, lines.join(''));
  return { user: [user], app: join(dir, `app_known_hosts_${Math.random().toString(36).slice(2)}`) };
}

export interface Script {
  hostKey?: boolean | ((q: HostKeyQuestion) => boolean);
  passwords?: (string | null)[];
  passphrases?: (string | null)[];
  keyboard?: ((q: KeyboardInteractiveQuestion) => string[] | null)[];
}

export type Asked =
  | { kind: 'hostKey'; question: HostKeyQuestion }
  | { kind: 'password'; question: PasswordQuestion }
  | { kind: 'passphrase'; question: PassphraseQuestion }
  | { kind: 'keyboard'; question: KeyboardInteractiveQuestion };

/** A prompter answering from a script (then cancelling), and the questions it got. */
export function scriptedPrompter(script: Script = {}): SshPrompter & { asked: Asked[] } {
  const passwords = [...(script.passwords ?? [])];
  const passphrases = [...(script.passphrases ?? [])];
  const keyboard = [...(script.keyboard ?? [])];
  const asked: Asked[] = [];
  return {
    asked,
    async hostKey(question) {
      asked.push({ kind: 'hostKey', question });
      const answer = script.hostKey ?? false;
      return typeof answer === 'function' ? answer(question) : answer;
    },
    async password(question) {
      asked.push({ kind: 'password', question });
      return passwords.length > 0 ? passwords.shift()! : null;
    },
    async passphrase(question) {
      asked.push({ kind: 'passphrase', question });
      return passphrases.length > 0 ? passphrases.shift()! : null;
    },
    async keyboardInteractive(question) {
      asked.push({ kind: 'keyboard', question });
      const answer = keyboard.shift();
      return answer ? answer(question) : null;
    },
  };
}

const hosts = new Set<SshHost>();

/** An SshHost with no agent unless given, closed by closeHosts(). */
export function makeHost(options: SshHostOptions): SshHost {
  const host = new SshHost({ agent: null, readyTimeoutMs: 8000, ...options });
  hosts.add(host);
  return host;
}

/** Closes every host made by makeHost. */
export async function closeHosts(): Promise<void> {
  await Promise.all([...hosts].map((h) => h.close()));
  hosts.clear();
}

/** A real ssh-agent on a socket in dir, holding the given keys. */
export async function startAgent(dir: string, keys: string[]) {
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error('ssh-agent did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const key of keys) {
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  }
  return {
    socket,
    async stop() {
      const gone = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await gone;
    },
  };
}

const everyByte = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1));

/** Strings meant to break out of quoting, run commands, or be split and globbed. */
export const HOSTILE = [
  '',
  ' ',
  "'",
  "''",
  '"',
  "it's",
  '$(touch /tmp/fdscope-pwned)',
  '`touch /tmp/fdscope-pwned`',
  '; touch /tmp/fdscope-pwned',
  '$HOME ${PATH} $$ $0 $1',
  'a\nb\r\nc',
  '*',
  '-n',
  '--',
  '\\',
  "'\\''",
  '!event',
  '~root',
  'tab\there',
  'ünïcødé ✓',
  everyByte,
];
