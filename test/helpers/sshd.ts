// A real OpenSSH server for tests: Debian's sshd on 127.0.0.1, a free high port, its own host
// key, authorized_keys and config in a temp dir; never the system sshd, never port 22. Logins
// go to a dedicated user (fdscope-t<pid>, one per test process, so that runs in several
// worktrees at once never share one) that the tests create with a password and delete after:
// password and keyboard-interactive (PAM) logins are real, and root is left alone.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_USER = `fdscope-t${process.pid}`;
export const TEST_PASSWORD = 'fdscope test pw 7!';

export interface SshdOptions {
  /** Lines appended to the generated sshd_config. */
  extraConfig?: string[];
  /** The key type of the host key (ed25519 by default). */
  hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
}

/** A running test sshd. */
export interface Sshd {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly hostKeyPath: string;
  /** The host key's public line, `type base64`. */
  hostPublicKey(): string;
  /** What sshd logged so far (it runs with -e). */
  log(): string;
  /** Replaces the host key with a new one and restarts sshd on the same port. */
  regenerateHostKey(): Promise<void>;
  /** Kills sshd (and the sessions it started) and removes its dir. */
  stop(): Promise<void>;
}

export interface ClientKeys {
  dir: string;
  /** An unencrypted ed25519 key. */
  plain: string;
  /** A key the server does not know. */
  stranger: string;
  /** An ed25519 key encrypted with `passphrase`. */
  encrypted: string;
  passphrase: string;
  /** The authorized_keys file listing both public keys. */
  authorizedKeys: string;
}

const running = new Set<Sshd>();
const keyDirs = new Set<string>();

/** Generates the client's keys (plain and encrypted) and their authorized_keys file. */
export function makeClientKeys(): ClientKeys {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-sshkeys-'));
  // sshd reads authorized_keys as the test user, not as root.
  chmodSync(dir, 0o755);
  keyDirs.add(dir);
  const passphrase = 'correct horse';
  const plain = join(dir, 'id_plain');
  const encrypted = join(dir, 'id_encrypted');
  keygen(['-t', 'ed25519', '-N', '', '-f', plain]);
  keygen(['-t', 'ed25519', '-N', passphrase, '-f', encrypted]);
  const stranger = join(dir, 'id_stranger');
  keygen(['-t', 'ed25519', '-N', '', '-f', stranger]);
  const authorizedKeys = join(dir, 'authorized_keys');
  const lines = [plain, encrypted].map((k) => readFileSync(`${k}.pub`, 'utf8').trim());
  writeFileSync(authorizedKeys, lines.join('\n') + '\n', { mode: 0o644 });
  return { dir, plain, stranger, encrypted, passphrase, authorizedKeys };
}

const LOCK = '/run/fdscope-tusers.lock';
const SUDOERS_FILE = `/etc/sudoers.d/${TEST_USER}`;

/** Creates the test user with its password, after deleting those of test runs now dead. */
export function createTestUser(): void {
  mkdirSync('/run/sshd', { recursive: true });
  locked(`
    for user in $(getent passwd | cut -d: -f1 | grep -E '^fdscope-t[0-9]+$'); do
      kill -0 "\${user#fdscope-t}" 2>/dev/null && continue
      pkill -KILL -u "$user" || true
      userdel "$user" 2>/dev/null || true
      rm -f "/etc/sudoers.d/$user"
    done
    id ${TEST_USER} >/dev/null 2>&1 || useradd -M -d /tmp -s /bin/sh ${TEST_USER}
  `);
  execFileSync('chpasswd', [], { input: `${TEST_USER}:${TEST_PASSWORD}\n` });
}

/** Deletes the test user, its processes and its sudoers rule. */
export function deleteTestUser(): void {
  locked(`
    rm -f ${SUDOERS_FILE}
    pkill -KILL -u ${TEST_USER} || true
    userdel ${TEST_USER} 2>/dev/null || true
  `);
}

function locked(script: string): void {
  execFileSync('flock', [LOCK, 'sh', '-ec', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Sets what sudo lets the test user do: nothing, everything with a password, or without. */
export function setTestUserSudo(rule: 'none' | 'password' | 'nopasswd'): void {
  if (rule === 'none') {
    rmSync(SUDOERS_FILE, { force: true });
    return;
  }
  const tag = rule === 'nopasswd' ? 'NOPASSWD: ' : '';
  // timestamp_timeout=0: no cached credential lets one test pass because of another.
  const text = `Defaults:${TEST_USER} timestamp_timeout=0\n${TEST_USER} ALL=(ALL) ${tag}ALL\n`;
  writeFileSync(SUDOERS_FILE, text, { mode: 0o440 });
  execFileSync('visudo', ['-c', '-q', '-f', SUDOERS_FILE]);
}

/** Starts sshd on 127.0.0.1 on a free port and resolves once it accepts connections. */
export async function startSshd(authorizedKeys: string, options: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-sshd-'));
  mkdirSync('/run/sshd', { recursive: true });
  const hostKeyPath = join(dir, 'host_key');
  const type = options.hostKeyType ?? 'ed25519';
  keygen(['-t', type, '-N', '', '-f', hostKeyPath]);
  const port = await freePort();
  const configPath = join(dir, 'sshd_config');
  // sshd takes the first value of a keyword: the test's lines go first to override ours.
  const config = [
    ...(options.extraConfig ?? []),
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${hostKeyPath}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    // The keys live in a temp dir owned by root, not in the user's home.
    'StrictModes no',
    'UsePAM yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication yes',
    'PubkeyAuthentication yes',
    'PermitRootLogin no',
    `AllowUsers ${TEST_USER}`,
    'LogLevel VERBOSE',
    'MaxStartups 50',
    'MaxSessions 50',
  ];
  writeFileSync(configPath, config.join('\n') + '\n');
  let child = await launch(configPath, port);
  let log = '';
  const attach = (c: ChildProcess): void => {
    c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  };
  attach(child);
  const sshd: Sshd = {
    port,
    get pid() {
      return child.pid!;
    },
    dir,
    hostKeyPath,
    hostPublicKey: () =>
      readFileSync(`${hostKeyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' '),
    log: () => log,
    async regenerateHostKey() {
      await kill(child);
      rmSync(hostKeyPath, { force: true });
      rmSync(`${hostKeyPath}.pub`, { force: true });
      keygen(['-t', type, '-N', '', '-f', hostKeyPath]);
      child = await launch(configPath, port);
      attach(child);
    },
    async stop() {
      running.delete(sshd);
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(sshd);
  return sshd;
}

/** Stops every sshd still running and removes the client keys made (for afterAll). */
export async function stopAllSshd(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  for (const dir of keyDirs) rmSync(dir, { recursive: true, force: true });
  keyDirs.clear();
}

/** The pids of the per-connection processes sshd started (its children and theirs). */
export function sessionPids(sshdPid: number): number[] {
  const children = (pid: number): number[] => {
    try {
      const out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
      return out.split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const queue = children(sshdPid);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    all.push(pid);
    queue.push(...children(pid));
  }
  return all;
}

/** The SHA256 fingerprint of a public key file as `ssh-keygen -lf` prints it. */
export function keygenFingerprint(publicKeyPath: string): string {
  const out = execFileSync('ssh-keygen', ['-lf', publicKeyPath], { encoding: 'utf8' });
  return out.split(' ')[1];
}

function keygen(args: string[]): void {
  execFileSync('ssh-keygen', ['-q', '-C', 'fdscope-test', ...args], { stdio: 'ignore' });
}

async function launch(configPath: string, port: number): Promise<ChildProcess> {
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let early = '';
  const onData = (d: Buffer): void => void (early += d.toString());
  child.stderr!.on('data', onData);
  child.once('error', (error) => (early += `${error.message} (is openssh-server installed?)`));
  const deadline = Date.now() + 5000;
  while (!early.includes(`Server listening on 127.0.0.1 port ${port}`)) {
    if (child.exitCode !== null || child.pid === undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start on port ${port}: ${early}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stderr!.off('data', onData);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // The sessions are sshd's children: end them too, or a stopped one would outlive the test.
  const sessions = sessionPids(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  for (const pid of sessions) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
