import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FdscopeError } from '../../../../main/engine/errors';
import { collect } from '../../../../main/engine/host/ssh/collect';
import {
  createTestUser,
  deleteTestUser,
  makeClientKeys,
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
  startAgent,
  targetFor,
  trusting,
} from './ssh-fixtures';

let keys: ClientKeys;
let open: Sshd;
let passwordOnly: Sshd;
let keyboardOnly: Sshd;
const temp = scratch();

beforeAll(async () => {
  createTestUser();
  keys = makeClientKeys();
  open = await startSshd(keys.authorizedKeys);
  passwordOnly = await startSshd(keys.authorizedKeys, {
    extraConfig: ['AuthenticationMethods password'],
  });
  keyboardOnly = await startSshd(keys.authorizedKeys, {
    extraConfig: ['AuthenticationMethods keyboard-interactive'],
  });
});

afterEach(closeHosts);

afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
});

async function whoami(host: ReturnType<typeof makeHost>): Promise<string> {
  const result = await collect(host.spawn(['id', '-un']));
  return result.stdout.trim();
}

describe('logging in to a real sshd', () => {
  it('logs in with an unencrypted key file and asks nothing', async () => {
    const prompter = scriptedPrompter();
    const host = makeHost({
      target: targetFor(open, { identityFiles: [keys.plain] }),
      prompter,
      knownHosts: trusting(temp.dir, open),
    });

    await host.connect();

    expect(await whoami(host)).toBe(TEST_USER);
    expect(prompter.asked).toEqual([]);
    expect(open.log()).toContain(`Accepted publickey for ${TEST_USER} `);
  });

  it("asks an encrypted key's passphrase again after a wrong one, then logs in", async () => {
    const prompter = scriptedPrompter({ passphrases: ['wrong', keys.passphrase] });
    const host = makeHost({
      target: targetFor(open, { identityFiles: [keys.encrypted] }),
      prompter,
      knownHosts: trusting(temp.dir, open),
    });

    await host.connect();

    expect(await whoami(host)).toBe(TEST_USER);
    expect(prompter.asked.map((a) => a.question)).toEqual([
      { keyPath: keys.encrypted, retry: false },
      { keyPath: keys.encrypted, retry: true },
    ]);
  });

  it('fails clearly when the passphrase is wrong three times', async () => {
    const prompter = scriptedPrompter({ passphrases: ['a', 'b', 'c'] });
    const host = makeHost({
      target: targetFor(open, { identityFiles: [keys.encrypted] }),
      prompter,
      knownHosts: trusting(temp.dir, open),
    });

    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('ssh-auth');
    expect(error.oneLine()).toContain(
      `unable to log in to ${TEST_USER}@127.0.0.1:${open.port}: ` +
        `the passphrase for ${keys.encrypted} was wrong 3 times`,
    );
  });

  it('logs in with a password asked through the prompter', async () => {
    const prompter = scriptedPrompter({ passwords: [TEST_PASSWORD] });
    const host = makeHost({
      target: targetFor(passwordOnly),
      prompter,
      knownHosts: trusting(temp.dir, passwordOnly),
    });

    await host.connect();

    expect(await whoami(host)).toBe(TEST_USER);
    expect(prompter.asked).toEqual([
      {
        kind: 'password',
        question: {
          user: TEST_USER,
          host: '127.0.0.1',
          port: passwordOnly.port,
          purpose: 'login',
          retry: false,
        },
      },
    ]);
    expect(passwordOnly.log()).toContain(`Accepted password for ${TEST_USER} `);
  });

  it('asks the password again after a refused one', async () => {
    const noPam = await startSshd(keys.authorizedKeys, {
      extraConfig: ['UsePAM no', 'AuthenticationMethods password'],
    });
    const prompter = scriptedPrompter({ passwords: ['wrong', TEST_PASSWORD] });
    const host = makeHost({
      target: targetFor(noPam),
      prompter,
      knownHosts: trusting(temp.dir, noPam),
    });

    await host.connect();

    expect(await whoami(host)).toBe(TEST_USER);
    expect(prompter.asked.map((a) => a.kind === 'password' && a.question.retry)).toEqual([
      false,
      true,
    ]);
  });

  it('logs in with keyboard-interactive, answering the prompts PAM sends', async () => {
    const prompter = scriptedPrompter({
      keyboard: [(q) => q.prompts.map(() => TEST_PASSWORD)],
    });
    const host = makeHost({
      target: targetFor(keyboardOnly),
      prompter,
      knownHosts: trusting(temp.dir, keyboardOnly),
    });

    await host.connect();

    expect(await whoami(host)).toBe(TEST_USER);
    const asked = prompter.asked.find((a) => a.kind === 'keyboard');
    expect(asked?.kind === 'keyboard' && asked.question.prompts[0].prompt).toMatch(/password/i);
    expect(keyboardOnly.log()).toContain(`Accepted keyboard-interactive/pam for ${TEST_USER} `);
  });

  it('logs in with a key held by a real ssh-agent', async () => {
    const agent = await startAgent(temp.dir, [keys.plain]);
    try {
      const host = makeHost({
        target: targetFor(open),
        prompter: scriptedPrompter(),
        knownHosts: trusting(temp.dir, open),
        agent: agent.socket,
      });

      await host.connect();

      expect(await whoami(host)).toBe(TEST_USER);
    } finally {
      await closeHosts();
      await agent.stop();
    }
  });

  it('offers only the IdentityFiles keys of the agent under IdentitiesOnly', async () => {
    // The agent's first key is unknown to the server, which allows a single failure.
    const strict = await startSshd(keys.authorizedKeys, {
      extraConfig: ['MaxAuthTries 1', 'AuthenticationMethods publickey'],
    });
    const agent = await startAgent(temp.dir, [keys.stranger, keys.plain]);
    const make = (identitiesOnly: boolean) =>
      makeHost({
        target: targetFor(strict, { identityFiles: [keys.plain], identitiesOnly }),
        prompter: scriptedPrompter(),
        knownHosts: trusting(temp.dir, strict),
        agent: agent.socket,
      });
    try {
      const everyKey = await make(false)
        .connect()
        .then(() => 'connected')
        .catch((e: FdscopeError) => e.oneLine());
      const before = strict.log().length;

      await make(true).connect();

      expect(everyKey).toMatch(/unable to (log in|connect)/);
      expect(strict.log().slice(before)).toContain(`Accepted publickey for ${TEST_USER} `);
      expect(strict.log().slice(before)).not.toContain('Failed publickey');
    } finally {
      await closeHosts();
      await agent.stop();
    }
  });

  it('names every method offered when the server refuses them all', async () => {
    // Without PAM, a refused password costs no PAM delay: the test stays short.
    const strict = await startSshd(keys.authorizedKeys, {
      extraConfig: ['UsePAM no', 'AuthenticationMethods publickey password'],
    });
    const prompter = scriptedPrompter({ passwords: ['bad1', 'bad2', 'bad3'] });
    const host = makeHost({
      target: targetFor(strict, { identityFiles: [keys.stranger] }),
      prompter,
      knownHosts: trusting(temp.dir, strict),
    });

    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('ssh-auth');
    expect(error.oneLine()).toMatch(
      new RegExp(
        `^unable to log in to ${TEST_USER}@127.0.0.1:${strict.port}: ` +
          'the server refused every method offered \\(publickey, password\\); ',
      ),
    );
    expect(prompter.asked.map((a) => a.kind)).toEqual(['password', 'password', 'password']);
  });

  it('stops at once, asking nothing more, when the person cancels', async () => {
    const prompter = scriptedPrompter({ keyboard: [() => null] });
    const host = makeHost({
      target: targetFor(open),
      prompter,
      knownHosts: trusting(temp.dir, open),
    });

    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.oneLine()).toContain(': the login was cancelled');
    expect(prompter.asked.map((a) => a.kind)).toEqual(['keyboard']);
  });
});
