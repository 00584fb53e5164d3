// Remote discovery and capture through a real SshHost on a test sshd (127.0.0.1): the same
// scripts and sources as on a command host, the writer run as the SSH user (case C14).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteFollowSource } from '../../main/engine/capture/remote-follow-source';
import { createTraceSource } from '../../main/engine/capture/trace-source';
import type { Host } from '../../main/engine/host/host';
import { createLocalHost } from '../../main/engine/host/local-host';
import { listRemoteProcesses } from '../../main/engine/discovery/remote-discovery';
import { listLocalProcesses } from '../../main/engine/discovery/local-discovery';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  startSshd,
  stopAllSshd,
  TEST_USER,
  type ClientKeys,
  type Sshd,
} from '../helpers/sshd';
import { collectingSink, waitFor } from '../helpers/proc-fixtures';
import {
  closeHosts,
  makeHost,
  scratch,
  scriptedPrompter,
  targetFor,
  trusting,
} from './host/ssh/ssh-fixtures';

let keys: ClientKeys;
let sshd: Sshd;
let dir: string;
const temp = scratch();
const writers = new Set<ReturnType<typeof spawn>>();

beforeAll(async () => {
  createTestUser();
  keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
  dir = mkdtempSync(join(tmpdir(), 'fdscope-ssh-remote-'));
  chmodSync(dir, 0o777);
});
afterEach(async () => {
  await closeHosts();
  for (const w of writers) {
    w.kill('SIGKILL');
    if (w.exitCode === null && w.signalCode === null) await new Promise((r) => w.once('exit', r));
  }
  writers.clear();
});
afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function sshHost(): Host {
  return makeHost({
    target: targetFor(sshd, { identityFiles: [keys.plain] }),
    prompter: scriptedPrompter(),
    knownHosts: trusting(temp.dir, sshd),
  });
}

function uidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return Number(line!.split(':')[2]);
}

// C14: "out N" on fd 1 and "err N" on fd 2 in turn, and one line ending "\r\n", once go exists.
const C14 = `
import os, sys, time
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
for n in range(30):
    os.write(1, b'out %d\\n' % n)
    os.write(2, b'err %d\\n' % n)
    time.sleep(0.005)
os.write(1, b'crlf line\\r\\n')
time.sleep(3600)
`;

/** Runs the C14 writer as the SSH user, its fds 1 and 2 on pipes this test reads. */
function c14Writer(go: string) {
  const uid = uidOf(TEST_USER);
  const child = spawn('python3', ['-c', C14, go], {
    uid,
    gid: uid,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: dir },
  });
  writers.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  return { pid: child.pid!, out: () => Buffer.concat(out), err: () => Buffer.concat(err) };
}

/** Traces a fresh C14 writer on a host; the bytes per fd. */
async function traceC14(host: Host, strace: string): Promise<Map<number, string>> {
  const go = join(dir, `go-${Math.random().toString(36).slice(2)}`);
  const writer = c14Writer(go);
  await waitFor(
    () => /python/.test(readFileSync(`/proc/${writer.pid}/cmdline`, 'latin1')),
    'the writer',
  );
  const source = createTraceSource({ host, pid: writer.pid, fds: [1, 2], strace });
  const sink = collectingSink();
  await source.start(sink);
  writeFileSync(go, '');
  await waitFor(() => writer.out().toString().endsWith('crlf line\r\n'), 'the writer to finish');
  await waitFor(() => sink.bytes().toString().includes('crlf line\r\n'), 'the last traced write');
  await source.stop();
  const byFd = new Map<number, string>();
  for (const e of sink.events) byFd.set(e.fd, (byFd.get(e.fd) ?? '') + e.bytes.toString());
  expect(byFd.get(1)).toBe(writer.out().toString());
  expect(byFd.get(2)).toBe(writer.err().toString());
  return byFd;
}

describe('remote discovery and capture over SSH', () => {
  it('lists the SSH user, its own processes readable and root’s not', async () => {
    const writer = c14Writer(join(dir, 'never'));
    await waitFor(
      () => /python/.test(readFileSync(`/proc/${writer.pid}/cmdline`, 'latin1')),
      'the writer',
    );

    const { capabilities, processes } = await listRemoteProcesses(sshHost());

    expect(capabilities).toMatchObject({
      user: TEST_USER,
      isRoot: false,
      strace: '/usr/bin/strace',
    });
    const seen = processes.find((p) => p.pid === writer.pid)!;
    const local = listLocalProcesses().processes.find((p) => p.pid === writer.pid)!;
    expect(seen.fds).toEqual(local.fds);
    // Same user, so tracing is allowed; the pipe itself was made by root (this test), so the
    // SSH user may not open it and read-pipe is not offered.
    expect(seen.methods['1']).toEqual({ method: 'trace', allowed: true, alternatives: [] });
    expect(processes.find((p) => p.pid === 1)?.unreadable).toMatch(/not this user's/);
  });

  it('C14: a trace over SSH equals a local trace of the same writer, fd for fd', async () => {
    const remote = await traceC14(sshHost(), '/usr/bin/strace');
    const local = await traceC14(createLocalHost(), '/usr/bin/strace');

    expect(remote).toEqual(local);
    expect(remote.get(1)).toMatch(/out 29\ncrlf line\r\n$/);
    expect(remote.get(2)).not.toMatch(/\r/);
  });

  it('follows a file over SSH and leaves no command behind when stopped', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, '');
    chmodSync(file, 0o666);
    const uid = uidOf(TEST_USER);
    const loop = `exec >>"$1"; i=0; while :; do echo "line $i"; i=$((i+1)); sleep 0.01; done`;
    const child = spawn('sh', ['-c', loop, 'w', file], { uid, gid: uid, stdio: 'ignore' });
    writers.add(child);
    // fd 1 is on the file once the first line is there.
    await waitFor(() => readFileSync(file).length > 0, 'the first line');
    const source = createRemoteFollowSource({ host: sshHost(), pid: child.pid!, fd: 1 });
    const sink = collectingSink();

    await source.start(sink);
    const from = source.offset();
    await waitFor(() => sink.bytes().length > 300, 'followed lines');
    await source.stop();

    const captured = sink.bytes();
    expect(captured.equals(readFileSync(file).subarray(from, from + captured.length))).toBe(true);
    await waitFor(() => !running('fdscope-follow'), 'the remote loop to end');
  });
});

function running(text: string): boolean {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(text);
      } catch {
        return false;
      }
    });
}
