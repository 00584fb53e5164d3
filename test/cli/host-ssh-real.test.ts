// fdscope ps and tap, built, with --host naming an ~/.ssh/config alias of a test sshd on
// 127.0.0.1: the list is the SSH user's view, and tap follows its writer's file exactly.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../preload/contract';
import { tempDir, waitFor } from '../helpers/proc-fixtures';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  startSshd,
  stopAllSshd,
  TEST_USER,
  type Sshd,
} from '../helpers/sshd';

const temp = tempDir();
let sshd: Sshd;
let home: string;
const writers = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync('out/main/cli.js'))
    throw new Error('out/main/cli.js is missing: run npm run build');
  createTestUser();
  const keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
  // A home of the test's own: its ~/.ssh names the sshd and already trusts its key.
  home = temp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const config = [
    'Host testbox',
    '  HostName 127.0.0.1',
    `  Port ${sshd.port}`,
    `  User ${TEST_USER}`,
    `  IdentityFile ${keys.plain}`,
    '',
  ];
  writeFileSync(join(home, '.ssh', 'config'), config.join('\n'), { mode: 0o600 });
  const known = `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}\n`;
  writeFileSync(join(home, '.ssh', 'known_hosts'), known, { mode: 0o600 });
  chmodSync(temp.dir, 0o755);
});
afterEach(async () => {
  for (const w of writers) {
    w.kill('SIGKILL');
    if (w.exitCode === null && w.signalCode === null) await new Promise((r) => w.once('exit', r));
  }
  writers.clear();
});
afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.remove();
});

function fdscope(...args: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
  const child = spawn(process.execPath, ['bin/fdscope.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, FDSCOPE_LOG: 'off', FDSCOPE_DATA_DIR: temp.path('data') },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code, out: Buffer.concat(out), err: Buffer.concat(err).toString() }),
    ),
  );
}

/** A writer run as the SSH user: 50 lines appended to a file, then asleep. */
async function writer(): Promise<{ pid: number; file: string }> {
  const file = temp.path(`w-${writers.size}.log`);
  writeFileSync(file, '');
  chmodSync(file, 0o666);
  const uid = Number(
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${TEST_USER}:`))!
      .split(':')[2],
  );
  const loop = `exec >>"$1"; i=0; while [ $i -lt 50 ]; do echo "line $i"; i=$((i+1)); done
    exec sleep 60`;
  const child = spawn('sh', ['-c', loop, 'w', file], { uid, gid: uid, stdio: 'ignore' });
  writers.add(child);
  await waitFor(() => readFileSync(file, 'utf8').endsWith('line 49\n'), 'the writer');
  return { pid: child.pid!, file };
}

describe('fdscope --host with an SSH alias', () => {
  it("ps lists the host's processes as the SSH user sees them", async () => {
    const { pid, file } = await writer();

    const run = await fdscope('ps', '--json', '--host', 'testbox');

    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const list = JSON.parse(run.out.toString()) as {
      capabilities: { user: string };
      processes: ProcessInfo[];
    };
    expect(list.capabilities.user).toBe(TEST_USER);
    const seen = list.processes.find((p) => p.pid === pid);
    expect(seen?.fds[1]).toMatchObject({ kind: 'file', link: file, append: true });
  });

  it("tap follows the writer's file over SSH, printing its bytes exactly", async () => {
    const { pid, file } = await writer();

    const run = await fdscope(
      'tap',
      String(pid),
      '--host',
      'testbox',
      '--fd',
      '1',
      '--from-start',
      '--duration',
      '1',
    );

    expect(run.code).toBe(0);
    expect(run.out.toString()).toBe(readFileSync(file, 'utf8'));
  });

  it('refuses an unknown host key when no terminal can ask about it', async () => {
    const run = await fdscope('ps', '--host', `${TEST_USER}@localhost:${sshd.port}`);

    expect(run.code).toBe(1);
    expect(run.err).toMatch(/host key/i);
  });
});
