import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../../../main/engine/host/ssh/collect';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
  setTestUserSudo,
  startSshd,
  stopAllSshd,
  TEST_PASSWORD,
  TEST_USER,
  type ClientKeys,
  type Sshd,
} from '../../../helpers/sshd';
import {
  closeHosts,
  makeHost,
  scratch,
  scriptedPrompter,
  targetFor,
  trusting,
  type Script,
} from './ssh-fixtures';

let keys: ClientKeys;
let sshd: Sshd;
const temp = scratch();

beforeAll(async () => {
  createTestUser();
  keys = makeClientKeys();
  sshd = await startSshd(keys.authorizedKeys);
});

afterEach(async () => {
  await closeHosts();
  setTestUserSudo('none');
});

afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
});

function hostWith(script: Script, server = sshd) {
  const prompter = scriptedPrompter(script);
  const host = makeHost({
    target: targetFor(server, { identityFiles: [keys.plain] }),
    prompter,
    knownHosts: trusting(temp.dir, server),
  });
  return { host, prompter };
}

describe('sudo on an SSH host', () => {
  it('uses sudo -n where no password is needed, asking nothing', async () => {
    setTestUserSudo('nopasswd');
    const { host, prompter } = hostWith({});

    const result = await collect(host.spawn(['id', '-u'], { sudo: true }));

    expect(result).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    expect(prompter.asked).toEqual([]);
  });

  it("passes the prompter's password on stdin, ahead of the command's own input", async () => {
    setTestUserSudo('password');
    const { host, prompter } = hostWith({ passwords: [TEST_PASSWORD] });

    const id = await collect(host.spawn(['id', '-u'], { sudo: true }));
    const cat = await collect(host.spawn(['cat'], { sudo: true, stdin: true }), 'only this\n');

    expect(id).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    expect(cat).toMatchObject({ code: 0, stdout: 'only this\n', stderr: '' });
    expect(prompter.asked).toEqual([
      {
        kind: 'password',
        question: {
          user: TEST_USER,
          host: '127.0.0.1',
          port: sshd.port,
          purpose: 'sudo',
          retry: false,
        },
      },
    ]);
  });

  it('kills a command run through sudo with a password, as root', async () => {
    setTestUserSudo('password');
    const { host } = hostWith({ passwords: [TEST_PASSWORD] });
    const sleep = host.spawn(['sleep', '300'], { sudo: true });
    sleep.stdout.resume();
    sleep.stderr.resume();
    while (sleep.pid === null) await new Promise((r) => setTimeout(r, 10));
    const sudoPid = sleep.pid;
    const children = (): string => {
      try {
        const args = ['-o', 'pid=,user=,comm=', '--ppid', String(sudoPid)];
        return execFileSync('ps', args, { encoding: 'utf8' }).trim();
      } catch {
        return ''; // none yet
      }
    };
    const deadline = Date.now() + 3000;
    while (!/root\s+sleep/.test(children()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const asRoot = children();

    // sudo's channel was ended after the password: this kill goes over a second channel.
    sleep.kill();
    const status = await sleep.exited;

    expect(asRoot).toMatch(/root\s+sleep/);
    expect(status.code !== 0).toBe(true);
    expect(existsSync(`/proc/${sudoPid}`)).toBe(false);
  });

  it('asks again after a wrong sudo password', async () => {
    setTestUserSudo('password');
    const { host, prompter } = hostWith({ passwords: ['wrong', TEST_PASSWORD] });

    const result = await collect(host.spawn(['id', '-u'], { sudo: true }));

    expect(result).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    expect(prompter.asked.map((a) => a.kind === 'password' && a.question.retry)).toEqual([
      false,
      true,
    ]);
  });

  it('says what sudo said when it refuses the user', async () => {
    const { host } = hostWith({ passwords: [TEST_PASSWORD] });

    const process = host.spawn(['id', '-u'], { sudo: true });
    const result = await collect(process);

    expect(result.code).toBe(255);
    expect(process.error?.code).toBe('sudo-refused');
    expect(process.error?.oneLine()).toMatch(
      new RegExp(`^unable to run as root on ${TEST_USER}@127.0.0.1: sudo says: .*sudoers`),
    );
  });

  it('says so when sudo is not installed there', async () => {
    // The remote PATH holds no sudo: the host looks like one without it.
    const bare = await startSshd(keys.authorizedKeys, { extraConfig: ['SetEnv PATH=/nowhere'] });
    const { host } = hostWith({}, bare);

    const process = host.spawn(['id', '-u'], { sudo: true });
    await collect(process);

    expect(process.error?.code).toBe('sudo-missing');
    expect(process.error?.oneLine()).toBe(
      `unable to run as root on ${TEST_USER}@127.0.0.1: sudo is not installed there; ` +
        'install sudo on the host, or log in as root',
    );
  });
});
