import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FdscopeError } from '../../../../main/engine/errors';
import { collect } from '../../../../main/engine/host/ssh/collect';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  sessionPids,
  startSshd,
  stopAllSshd,
  TEST_PASSWORD,
  type ClientKeys,
} from '../../../helpers/sshd';
import {
  closeHosts,
  makeHost,
  scratch,
  scriptedPrompter,
  targetFor,
  trusting,
} from './ssh-fixtures';

let keys: ClientKeys;
const temp = scratch();
const stopped: number[] = [];

beforeAll(() => {
  createTestUser();
  keys = makeClientKeys();
});

afterEach(async () => {
  // SIGKILL ends stopped processes too; nothing the test froze outlives it.
  for (const pid of stopped.splice(0)) signal(pid, 'SIGKILL');
  await closeHosts();
});

afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
});

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

const INTERVAL_MS = 1000;
const COUNT = 2;

async function connectedHost() {
  const sshd = await startSshd(keys.authorizedKeys);
  const host = makeHost({
    target: targetFor(sshd, { identityFiles: [keys.plain] }),
    prompter: scriptedPrompter(),
    knownHosts: trusting(temp.dir, sshd),
    keepaliveIntervalMs: INTERVAL_MS,
    keepaliveCountMax: COUNT,
  });
  await host.connect().catch((e: FdscopeError) => {
    // What sshd logged is what explains a refused login here.
    throw new Error(`${e.oneLine()}\nsshd said:\n${sshd.log()}`);
  });
  return { sshd, host };
}

describe('the link to an SSH host', () => {
  it('is reported lost within interval x (count + 1) + 2 s once the server is silent', async () => {
    const { sshd, host } = await connectedHost();
    const sleep = host.spawn(['sleep', '300']);
    sleep.stdout.resume();
    sleep.stderr.resume();
    await new Promise((r) => setTimeout(r, 200));
    const sessions = sessionPids(sshd.pid);
    expect(sessions.length).toBeGreaterThan(0);
    const events: FdscopeError[] = [];
    host.on('lost', (error: FdscopeError) => events.push(error));

    // The connection's server processes freeze, as a host cut off would: no answer, no close.
    for (const pid of sessions) signal(pid, 'SIGSTOP');
    stopped.push(...sessions);
    const started = performance.now();
    const error = await host.lost;
    const elapsedMs = performance.now() - started;
    const ended = await sleep.exited;

    expect(elapsedMs).toBeLessThan(INTERVAL_MS * (COUNT + 1) + 2000);
    expect(elapsedMs).toBeGreaterThan(INTERVAL_MS * COUNT);
    expect(error.code).toBe('ssh-link-lost');
    expect(error.oneLine()).toContain(`no answer to ${COUNT} keepalives sent every 1 s`);
    expect(events).toEqual([error]);
    expect(host.state).toBe('lost');
    expect(ended).toEqual({ code: null, signal: null });
    expect(sleep.error?.code).toBe('ssh-link-lost');
    console.log(`link loss detected after ${Math.round(elapsedMs)} ms`);
  });

  it("takes its keepalives from the target's ServerAliveInterval and CountMax", async () => {
    const sshd = await startSshd(keys.authorizedKeys);
    const host = makeHost({
      target: targetFor(sshd, {
        identityFiles: [keys.plain],
        serverAliveIntervalS: 1,
        serverAliveCountMax: 1,
      }),
      prompter: scriptedPrompter(),
      knownHosts: trusting(temp.dir, sshd),
    });
    await host.connect();
    const sessions = sessionPids(sshd.pid);

    for (const pid of sessions) signal(pid, 'SIGSTOP');
    stopped.push(...sessions);
    const started = performance.now();
    const error = await host.lost;

    expect(performance.now() - started).toBeLessThan(1000 * (1 + 1) + 2000);
    expect(error.reason).toBe('no answer to 1 keepalives sent every 1 s');
  });

  it('reconnects with the password given before, asking nothing again', async () => {
    const sshd = await startSshd(keys.authorizedKeys, {
      extraConfig: ['UsePAM no', 'AuthenticationMethods password'],
    });
    const prompter = scriptedPrompter({ passwords: [TEST_PASSWORD] });
    const host = makeHost({
      target: targetFor(sshd),
      prompter,
      knownHosts: trusting(temp.dir, sshd),
    });
    await host.connect();

    for (const pid of sessionPids(sshd.pid)) signal(pid, 'SIGKILL');
    await host.lost;
    await host.reconnect();

    expect((await collect(host.spawn(['echo', 'again']))).stdout).toBe('again\n');
    expect(prompter.asked.map((a) => a.kind)).toEqual(['password']);
  });

  it('reconnects after a loss, and runs commands again', async () => {
    const { sshd, host } = await connectedHost();
    const sessions = sessionPids(sshd.pid);
    for (const pid of sessions) signal(pid, 'SIGKILL');
    await host.lost;
    const refused = await collect(host.spawn(['true']));

    await host.reconnect();
    const result = await collect(host.spawn(['echo', 'back']));

    expect(refused.code).toBe(255);
    expect(result.stdout).toBe('back\n');
    expect(host.state).toBe('connected');
    expect(sessionPids(sshd.pid).some((pid) => sessions.includes(pid))).toBe(false);
  });

  it('can end, after reconnecting, a command the lost link left running', async () => {
    const { sshd, host } = await connectedHost();
    const sleep = host.spawn(['sleep', '300']);
    sleep.stdout.resume();
    sleep.stderr.resume();
    while (sleep.pid === null) await new Promise((r) => setTimeout(r, 10));
    const pid = sleep.pid;

    // Only sshd's session processes die: the command lives on, as on a host after a cut.
    for (const session of sessionPids(sshd.pid)) if (session !== pid) signal(session, 'SIGKILL');
    stopped.push(pid);
    await host.lost;
    // Still sleeping (S), not a zombie waiting to be reaped.
    const orphaned = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    await host.reconnect();
    await host.signalRemote(pid, 'SIGKILL');

    expect(orphaned).toBe('S');
    expect(await gone(pid)).toBe(true);
  });

  it('retries with growing waits, then gives up with the last reason', async () => {
    const { sshd, host } = await connectedHost();
    const waits: number[] = [];
    host.on('reconnecting', (e: { delayMs: number }) => waits.push(e.delayMs));
    await sshd.stop();
    await host.lost;

    const error = (await host
      .reconnect({ attempts: 4, initialDelayMs: 100, maxDelayMs: 300 })
      .catch((e: unknown) => e)) as FdscopeError;

    expect(waits).toEqual([100, 200, 300]);
    expect(error.code).toBe('ssh-connect');
    expect(error.reason).toMatch(/ECONNREFUSED/);
  });

  it('gives up at once when the host key has changed meanwhile', async () => {
    const { sshd, host } = await connectedHost();
    const waits: number[] = [];
    host.on('reconnecting', (e: { delayMs: number }) => waits.push(e.delayMs));

    await sshd.regenerateHostKey();
    await host.lost;
    const error = (await host.reconnect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('host-key-changed');
    expect(waits).toEqual([]);
  });
});
