// Issue 4 end to end, as a user does it: `fdscope serve`, the real UI in Chromium, a real sshd
// on 127.0.0.1. Add the host, trust its key by its fingerprint, find a writer in the remote
// process list, capture it (strace runs on the far side), export, and compare the bytes.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestUser,
  deleteTestUser,
  keygenFingerprint,
  makeClientKeys,
  startSshd,
  stopAllSshd,
  TEST_USER,
  type Sshd,
} from '../helpers/sshd';
import { procStatus, startWriter, stopAllWriters, type Writer } from '../helpers/writers';
import { openPage, startServe, type Served } from './serve-harness';
import { launchChromium, SHOTS } from './ui-harness';

// A numbered line every 20 ms, flushed: the remote capture must equal the reader's copy.
const WRITER = `
import sys, time
i = 0
while True:
    sys.stdout.write("remote %06d %s\\n" % (i, sys.argv[1]))
    sys.stdout.flush()
    i += 1
    time.sleep(0.02)
`;

let sshd: Sshd;
let served: Served;
let browser: Browser;
let writer: Writer;
let home: string;
let outDir: string;
const marker = `ssh-e2e-${process.pid}`;

beforeAll(async () => {
  createTestUser();
  const keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
  // The user's home for fdscope: its default identity, and no known_hosts yet.
  home = mkdtempSync(join(tmpdir(), 'fdscope-e2e-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  copyFileSync(keys.plain, join(home, '.ssh', 'id_ed25519'));
  outDir = mkdtempSync(join(tmpdir(), 'fdscope-e2e-out-'));
  // The writer runs as the login user and must reach its script.
  chmodSync(outDir, 0o755);
  // The writer runs as the login user, so strace on the far side may trace it without root.
  const uid = execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim();
  const script = join(outDir, 'remote_worker.py');
  execFileSync('sh', ['-c', `cat > ${script} && chmod 644 ${script}`], { input: WRITER });
  // Debian's python: the login user cannot reach a python under /root (pyenv's, say).
  const py = '/usr/bin/python3';
  writer = await startWriter({
    language: 'shell',
    source: `exec setpriv --reuid=${uid} --regid=${uid} --clear-groups ${py} ${script} "$1"`,
    args: [marker],
  });
  served = await startServe({ HOME: home, SSH_AUTH_SOCK: '' });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await stopAllWriters();
  await stopAllSshd();
  deleteTestUser();
  rmSync(home, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe('a remote host over SSH in the real UI', () => {
  it('adds the host, trusts its key, captures a remote writer and exports it exactly', async () => {
    const { page, problems } = await openPage(browser, served.url);
    await page.getByRole('button', { name: '+ Add host…' }).click();
    await page.getByLabel('SSH destination').fill(`${TEST_USER}@127.0.0.1:${sshd.port}`);
    await page.getByLabel('Host name').fill('test sshd');
    await page.getByRole('button', { name: 'Add host', exact: true }).click();

    const question = page.locator('dialog', { hasText: 'Unknown host key' });
    await question.waitFor({ timeout: 30_000 });
    const shown = await question.locator('.fingerprint code').textContent();
    expect(shown).toBe(keygenFingerprint(`${sshd.hostKeyPath}.pub`));
    await page.screenshot({ path: `${SHOTS}/ssh-01-host-key.png` });
    await question.getByRole('button', { name: 'Trust and connect' }).click();

    const pidCell = page.locator('td:first-child', { hasText: new RegExp(`^${writer.pid}$`) });
    const row = page.locator('tbody tr').filter({ has: pidCell });
    // The list of the remote host says whom it runs as: the login user.
    await page.getByText(TEST_USER, { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Search processes').fill(marker);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toContain(marker);
    await page.screenshot({ path: `${SHOTS}/ssh-02-processes.png` });
    await row.getByRole('button', { name: 'Capture…' }).click();
    await page.getByLabel('stdout (fd 1)').check();
    await page.getByRole('button', { name: 'Start capture' }).click();
    const lines = page.locator('.raw-log .row', { hasText: marker });
    await expect.poll(() => lines.count(), { timeout: 30_000 }).toBeGreaterThan(40);
    await page.screenshot({ path: `${SHOTS}/ssh-03-capture.png` });
    await page.getByRole('button', { name: 'Stop' }).click();
    await page
      .getByText(/stopped by user/)
      .first()
      .waitFor();

    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByLabel('Raw bytes').check();
    const path = join(outDir, 'remote.bin');
    await page.getByLabel('Destination path').fill(path);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.locator('dialog .done').textContent()).toContain(path);
    const exported = readFileSync(path);

    expect(exported.length).toBeGreaterThan(40 * 20);
    await writer.waitFor((out) => out.length > exported.length, 'the reader to have it all');
    expect(writer.stdout().indexOf(exported)).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(served.dataDir, 'known_hosts'), 'utf8')).toContain(
      `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}`,
    );
    expect(procStatus(writer.pid)).toMatchObject({ tracerPid: 0 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
