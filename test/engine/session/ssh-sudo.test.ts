// Another user's process on an SSH host whose login is not root: the list offers trace through
// sudo, and the capture runs strace as root there, with sudo's password asked when it wants one.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../../preload/contract';
import { createEngine } from '../../../main/engine/create-engine';
import type { Engine } from '../../../main/engine/engine';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  setTestUserSudo,
  startSshd,
  stopAllSshd,
  TEST_PASSWORD,
  TEST_USER,
  type Sshd,
} from '../../helpers/sshd';
import { procStatus, startWriter, stopAllWriters, type Writer } from '../../helpers/writers';

let sshd: Sshd;
let engine: Engine;
let writer: Writer;
let scratch: string;
const asked: Prompt[] = [];

beforeAll(async () => {
  createTestUser();
  const keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
  scratch = mkdtempSync(join(tmpdir(), 'fdscope-sudo-'));
  const home = join(scratch, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  copyFileSync(keys.plain, join(home, '.ssh', 'id_ed25519'));
  // Root's process, as far as the login user is concerned: another user's.
  writer = await startWriter({
    language: 'shell',
    source: 'i=0; while :; do echo "root line $i"; i=$((i+1)); sleep 0.02; done',
  });
  engine = createEngine({ dataDir: join(scratch, 'data'), home });
  engine.prompts.onAsk((p) => {
    asked.push(p);
    const values = p.kind === 'sudo-password' ? [TEST_PASSWORD] : [];
    engine.prompts.answer({ id: p.id, accept: true, values });
  });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await stopAllWriters();
  await stopAllSshd();
  deleteTestUser();
  rmSync(scratch, { recursive: true, force: true });
});

async function captureThroughSudo(hostId: string): Promise<string> {
  const listed = await engine.handle('processes:list', { hostId });
  const target = listed.processes.find((p) => p.pid === writer.pid)!;
  expect(target.methods['1']).toMatchObject({ method: 'trace', allowed: true });
  expect(target.methods['1'].reason).toMatch(/through sudo/);
  const info = await engine.handle('capture:start', {
    hostId,
    pid: writer.pid,
    fds: [1],
    method: 'auto',
  });
  const lines = async () => (await engine.handle('capture:get', { id: info.id })).lines;
  await expect.poll(lines, { timeout: 20_000 }).toBeGreaterThan(20);
  await engine.handle('capture:stop', { id: info.id });
  const out = await engine.handle('capture:lines', { id: info.id, from: 0, count: 1000 });
  return out.lines.map((l) => Buffer.from(l.bytes).toString()).join('');
}

describe('another user\u2019s process over SSH', () => {
  it('is traced through sudo -n where sudo allows it without a password', async () => {
    setTestUserSudo('nopasswd');
    const host = await engine.handle('hosts:add', {
      kind: 'ssh',
      label: 'nopasswd',
      spec: `${TEST_USER}@127.0.0.1:${sshd.port}`,
    });

    const text = await captureThroughSudo(host.id);

    expect(writer.stdout().toString()).toContain(text.slice(0, text.lastIndexOf('\n') + 1));
    expect(asked.filter((p) => p.kind === 'sudo-password')).toEqual([]);
    expect(procStatus(writer.pid)).toMatchObject({ tracerPid: 0 });
  });

  it('asks for sudo\u2019s password where sudo wants one, and keeps it in memory', async () => {
    setTestUserSudo('password');
    const host = await engine.handle('hosts:add', {
      kind: 'ssh',
      label: 'password',
      spec: `${TEST_USER}@127.0.0.1:${sshd.port}`,
    });

    const text = await captureThroughSudo(host.id);

    expect(writer.stdout().toString()).toContain(text.slice(0, text.lastIndexOf('\n') + 1));
    expect(asked.filter((p) => p.kind === 'sudo-password').length).toBeGreaterThanOrEqual(1);
    expect(procStatus(writer.pid)).toMatchObject({ tracerPid: 0 });
  });
});
