import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../../../main/engine/host/ssh/collect';
import type { SshHost } from '../../../../main/engine/host/ssh/ssh-host';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  startSshd,
  stopAllSshd,
  TEST_USER,
  type ClientKeys,
  type Sshd,
} from '../../../helpers/sshd';
import {
  closeHosts,
  HOSTILE,
  makeHost,
  scratch,
  scriptedPrompter,
  targetFor,
  trusting,
} from './ssh-fixtures';

let sshd: Sshd;
let host: SshHost;
let keys: ClientKeys;
const temp = scratch();

beforeAll(async () => {
  createTestUser();
  keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
  host = makeHost({
    target: targetFor(sshd, { identityFiles: [keys.plain] }),
    prompter: scriptedPrompter(),
    knownHosts: trusting(temp.dir, sshd),
  });
  await host.connect();
});

afterAll(async () => {
  await closeHosts();
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
});

async function gone(pid: number, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function pidOf(process: ReturnType<SshHost['spawn']>): Promise<number> {
  const deadline = Date.now() + 3000;
  while (process.pid === null) {
    if (Date.now() > deadline) throw new Error('no pid reported');
    await new Promise((r) => setTimeout(r, 10));
  }
  return process.pid;
}

describe('commands on an SSH host', () => {
  it('delivers every byte value of a remote printf exactly', async () => {
    const format = Array.from({ length: 256 }, (_, i) => `\\${i.toString(8).padStart(3, '0')}`);

    const result = await collect(host.spawn(['printf', format.join('')]));
    const out: Buffer[] = [];
    const bytes = host.spawn(['printf', format.join('')]);
    bytes.stdout.on('data', (d: Buffer) => out.push(d));
    bytes.stderr.resume();
    await bytes.exited;

    expect(result.code).toBe(0);
    expect(Buffer.concat(out)).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  });

  it('carries 4 MiB of random bytes byte for byte', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const file = join(temp.dir, 'random.bin');
    // The remote user is not root: it must be able to read the file.
    chmodSync(temp.dir, 0o755);
    writeFileSync(file, data, { mode: 0o644 });
    const out: Buffer[] = [];

    const process = host.spawn(['cat', file]);
    process.stdout.on('data', (d: Buffer) => out.push(d));
    process.stderr.resume();
    const status = await process.exited;

    expect(status).toEqual({ code: 0, signal: null });
    expect(Buffer.concat(out).equals(data)).toBe(true);
  });

  it('keeps stdout and stderr apart and adds no carriage return (no pty)', async () => {
    const script = 'for i in 1 2 3; do echo out $i; echo err $i >&2; done; printf "crlf\\r\\n"';

    const result = await collect(host.spawn(['sh', '-c', script]));

    expect(result.stdout).toBe('out 1\nout 2\nout 3\ncrlf\r\n');
    expect(result.stderr).toBe('err 1\nerr 2\nerr 3\n');
  });

  it('passes hostile arguments through the remote shell unchanged', async () => {
    const result = await collect(host.spawn(['printf', '%s\\000', ...HOSTILE]));

    expect(result.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    expect(existsSync('/tmp/fdscope-pwned')).toBe(false);
  });

  it('reports exit codes, a signal, and a missing program', async () => {
    const seven = await collect(host.spawn(['sh', '-c', 'exit 7']));
    const killed = await collect(host.spawn(['sh', '-c', 'kill -TERM $$']));
    const missing = await collect(host.spawn(['no-such-program-fdscope']));

    expect(seven).toMatchObject({ code: 7, signal: null });
    expect(killed).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/no-such-program-fdscope.*not found/);
  });

  it('writes stdin when asked, and gives EOF otherwise', async () => {
    const echoed = await collect(host.spawn(['cat'], { stdin: true }), 'to the remote\n');
    const none = await collect(host.spawn(['cat']));

    expect(echoed.stdout).toBe('to the remote\n');
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('sets environment variables', async () => {
    const env = { FDSCOPE_A: "it's $(here)", FDSCOPE_B: '2' };

    const result = await collect(host.spawn(['sh', '-c', 'echo "$FDSCOPE_A/$FDSCOPE_B"'], { env }));

    expect(result.stdout).toBe("it's $(here)/2\n");
  });

  it('kills a remote sleep for real, with SIGTERM or SIGKILL', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const sleep = host.spawn(['sleep', '300']);
      const pid = await pidOf(sleep);
      expect(existsSync(`/proc/${pid}`)).toBe(true);

      sleep.kill(signal);
      const status = await sleep.exited;

      expect(status).toEqual({ code: null, signal });
      expect(await gone(pid)).toBe(true);
    }
  });

  it('kills a command asked to end before its pid is known', async () => {
    const sleep = host.spawn(['sh', '-c', 'sleep 300']);
    sleep.kill();

    const status = await sleep.exited;

    expect(status).toEqual({ code: null, signal: 'SIGTERM' });
    expect(sleep.pid).not.toBeNull();
    expect(await gone(sleep.pid!)).toBe(true);
  });

  it('ends its running commands when the host is closed', async () => {
    const other = makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter: scriptedPrompter(),
      knownHosts: trusting(temp.dir, sshd),
    });
    const sleep = other.spawn(['sleep', '300']);
    const pid = await pidOf(sleep);

    await other.close();

    expect(await sleep.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(pid)).toBe(true);
    expect(other.state).toBe('closed');
  });

  it('runs every command over the one connection', async () => {
    const accepted = (): number => (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const before = accepted();

    await Promise.all(Array.from({ length: 8 }, () => collect(host.spawn(['true']))));

    expect(accepted()).toBe(before);
  });

  it("measures the host's clock offset at connect", () => {
    // The test sshd runs on this machine: the offset is only the measurement's error.
    expect(Math.abs(host.clockOffsetMs!)).toBeLessThan(50);
    expect(host.clockRoundTripMs!).toBeLessThan(100);
  });

  it("says so when the server's MaxSessions is reached", async () => {
    const small = await startSshd(keys.authorizedKeys, { extraConfig: ['MaxSessions 2'] });
    const limited = makeHost({
      target: targetFor(small, { identityFiles: [keys.plain] }),
      prompter: scriptedPrompter(),
      knownHosts: trusting(temp.dir, small),
    });
    await limited.connect();
    const sleeps = [0, 1].map(() => limited.spawn(['sleep', '300']));
    await Promise.all(sleeps.map((p) => pidOf(p)));

    const third = limited.spawn(['true']);
    await collect(third);
    // No channel is left for a kill command: the signal travels on the command's own channel.
    sleeps.forEach((p) => p.kill('SIGKILL'));
    const ended = await Promise.all(sleeps.map((p) => p.exited));

    expect(ended).toEqual([0, 1].map(() => ({ code: null, signal: 'SIGKILL' })));

    expect(third.error?.oneLine()).toBe(
      `unable to run a command on ${TEST_USER}@127.0.0.1: ` +
        'the server refused a session beside the 2 already running; ' +
        "stop a capture, or raise MaxSessions in the server's sshd_config (default 10)",
    );
  });

  it('ends with code 255 and the reason on stderr when it cannot connect', async () => {
    const down = await startSshd(makeClientKeys().authorizedKeys);
    const unreachable = makeHost({
      target: targetFor(down),
      prompter: scriptedPrompter(),
      knownHosts: trusting(temp.dir, down),
    });
    await down.stop();

    const process = unreachable.spawn(['true']);
    const result = await collect(process);

    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(
      /^fdscope: unable to connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
    expect(process.error?.code).toBe('ssh-connect');
  });
});
