import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FdscopeError } from '../../../../main/engine/errors';
import { collect } from '../../../../main/engine/host/ssh/collect';
import {
  createTestUser,
  deleteTestUser,
  keygenFingerprint,
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
  targetFor,
  trusting,
} from './ssh-fixtures';

let keys: ClientKeys;
const temp = scratch();

beforeAll(() => {
  createTestUser();
  keys = makeClientKeys();
});

afterEach(closeHosts);

afterAll(async () => {
  await stopAllSshd();
  deleteTestUser();
  temp.cleanup();
});

function files(name: string) {
  return { user: [join(temp.dir, `${name}_user`)], app: join(temp.dir, `${name}_app`) };
}

describe('host keys of a real sshd', () => {
  it('shows an unknown key as ssh-keygen does and records it once accepted', async () => {
    const sshd = await startSshd(keys.authorizedKeys);
    const known = files('accept');
    const prompter = scriptedPrompter({ hostKey: true });
    const host = makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter,
      knownHosts: known,
    });

    await host.connect();
    const again = makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter: scriptedPrompter(),
      knownHosts: known,
    });
    await again.connect();

    expect(prompter.asked).toEqual([
      {
        kind: 'hostKey',
        question: {
          host: '127.0.0.1',
          port: sshd.port,
          knownHostsName: `[127.0.0.1]:${sshd.port}`,
          keyType: 'ssh-ed25519',
          fingerprint: keygenFingerprint(`${sshd.hostKeyPath}.pub`),
          otherKnownTypes: [],
          jumpFor: undefined,
        },
      },
    ]);
    const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', known.app]);
    expect(found.toString()).toContain(sshd.hostPublicKey());
    expect(again.state).toBe('connected');
  });

  it('sends no secret when the person rejects the key', async () => {
    const sshd = await startSshd(keys.authorizedKeys, {
      extraConfig: ['AuthenticationMethods password'],
    });
    const prompter = scriptedPrompter({ hostKey: false, passwords: [TEST_PASSWORD] });
    const host = makeHost({ target: targetFor(sshd), prompter, knownHosts: files('reject') });

    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('host-key-unknown');
    expect(error.oneLine()).toMatch(
      /^unable to connect to \[127.0.0.1\]:\d+: its host key SHA256:/,
    );
    expect(prompter.asked.map((a) => a.kind)).toEqual(['hostKey']);
    expect(sshd.log()).not.toMatch(/password for/);
  });

  it('connects with no question when the key is known, plain or hashed', async () => {
    const sshd = await startSshd(keys.authorizedKeys);
    const plain = trusting(temp.dir, sshd);
    const hashed = { user: [join(temp.dir, 'hashed')], app: join(temp.dir, 'hashed_app') };
    copyFileSync(plain.user[0], hashed.user[0]);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed.user[0]], { stdio: 'ignore' });
    const prompter = scriptedPrompter();

    for (const knownHosts of [plain, hashed]) {
      const target = targetFor(sshd, { identityFiles: [keys.plain] });
      await makeHost({ target, prompter, knownHosts }).connect();
    }

    expect(readFileSync(hashed.user[0], 'utf8')).toMatch(/^\|1\|/);
    expect(prompter.asked).toEqual([]);
  });

  it('asks a server with several host keys for the type already known', async () => {
    const rsaKey = join(temp.dir, 'host_rsa');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-N', '', '-C', '', '-f', rsaKey]);
    // ssh2 prefers ed25519; only the RSA key is known, so it must ask for that one first.
    const sshd = await startSshd(keys.authorizedKeys, { extraConfig: [`HostKey ${rsaKey}`] });
    const known = files('several');
    const rsaLine = readFileSync(`${rsaKey}.pub`, 'utf8').trim();
    writeFileSync(known.user[0], `[127.0.0.1]:${sshd.port} ${rsaLine}\n`);
    const prompter = scriptedPrompter();

    const host = makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter,
      knownHosts: known,
    });
    await host.connect();

    expect(prompter.asked).toEqual([]);
  });

  it('refuses a changed key, naming the file and line and both fingerprints', async () => {
    const sshd = await startSshd(keys.authorizedKeys, {
      extraConfig: ['AuthenticationMethods password'],
    });
    const known = files('changed');
    writeFileSync(known.user[0], `# first line\nother ${sshd.hostPublicKey()}\n`);
    writeFileSync(known.user[0], `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}\n`, {
      flag: 'a',
    });
    const oldFingerprint = keygenFingerprint(`${sshd.hostKeyPath}.pub`);
    await sshd.regenerateHostKey();
    const prompter = scriptedPrompter({ passwords: [TEST_PASSWORD] });
    const host = makeHost({ target: targetFor(sshd), prompter, knownHosts: known });

    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('host-key-changed');
    expect(error.reason).toBe(
      `its ssh-ed25519 host key has changed: ${known.user[0]}:3 records ${oldFingerprint}, ` +
        `the server now shows ${keygenFingerprint(`${sshd.hostKeyPath}.pub`)}`,
    );
    expect(prompter.asked).toEqual([]);
    expect(sshd.log()).not.toMatch(/password for/);
  });

  it('refuses a key marked @revoked', async () => {
    const sshd = await startSshd(keys.authorizedKeys);
    const known = files('revoked');
    writeFileSync(known.user[0], `@revoked * ${sshd.hostPublicKey()}\n`);

    const error = (await makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter: scriptedPrompter({ hostKey: true }),
      knownHosts: known,
    })
      .connect()
      .catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('host-key-revoked');
    expect(error.reason).toContain(`is marked @revoked in ${known.user[0]}:1`);
  });
});

describe('waiting', () => {
  it('gives a person as long as they need to answer, beyond the handshake timeout', async () => {
    const sshd = await startSshd(keys.authorizedKeys);
    const slow = scriptedPrompter({ hostKey: true });
    const answer = slow.hostKey.bind(slow);
    slow.hostKey = async (q) => (await new Promise((r) => setTimeout(r, 1500)), answer(q));
    const host = makeHost({
      target: targetFor(sshd, { identityFiles: [keys.plain] }),
      prompter: slow,
      knownHosts: files('slow'),
      readyTimeoutMs: 700,
    });

    await host.connect();

    expect(host.state).toBe('connected');
  });

  it('gives up on a server that accepts the connection and says nothing', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const host = makeHost({
      target: targetFor({ port }),
      prompter: scriptedPrompter(),
      knownHosts: files('silent'),
      readyTimeoutMs: 700,
    });

    const started = Date.now();
    const error = (await host.connect().catch((e: unknown) => e)) as FdscopeError;
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));

    expect(error.oneLine()).toMatch(
      /^unable to connect to 127\.0\.0\.1:\d+: no answer within 0\.7 s/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('jump hosts', () => {
  let jump: Sshd;
  let inner: Sshd;

  beforeAll(async () => {
    jump = await startSshd(keys.authorizedKeys, { extraConfig: ['LogLevel DEBUG1'] });
    inner = await startSshd(keys.authorizedKeys, { hostKeyType: 'ecdsa' });
  });

  it('reaches a host through a jump host, verifying each under its own port', async () => {
    const prompter = scriptedPrompter({ hostKey: true });
    const hop = targetFor(jump, { identityFiles: [keys.plain] });
    const target = targetFor(inner, { identityFiles: [keys.plain], jumps: [hop] });
    const host = makeHost({ target, prompter, knownHosts: files('jump') });

    await host.connect();
    const result = await collect(host.spawn(['id', '-un']));

    expect(result.stdout).toBe(`${TEST_USER}\n`);
    const questions = prompter.asked.map((a) => a.kind === 'hostKey' && a.question);
    expect(questions).toMatchObject([
      { knownHostsName: `[127.0.0.1]:${jump.port}`, jumpFor: `127.0.0.1:${inner.port}` },
      {
        knownHostsName: `[127.0.0.1]:${inner.port}`,
        keyType: 'ecdsa-sha2-nistp256',
        fingerprint: keygenFingerprint(`${inner.hostKeyPath}.pub`),
        jumpFor: undefined,
      },
    ]);
    expect(jump.log()).toMatch(
      new RegExp(`direct_tcpip: .* target 127\\.0\\.0\\.1 port ${inner.port}`),
    );
  });

  it('goes through two jump hosts in order', async () => {
    const second = await startSshd(keys.authorizedKeys, { extraConfig: ['LogLevel DEBUG1'] });
    const hops = [jump, second].map((s) => targetFor(s, { identityFiles: [keys.plain] }));
    const target = targetFor(inner, { identityFiles: [keys.plain], jumps: hops });
    const prompter = scriptedPrompter();
    const host = makeHost({
      target,
      prompter,
      knownHosts: trusting(temp.dir, jump, second, inner),
    });

    const result = await collect((await host.connect(), host.spawn(['echo', 'far'])));

    expect(result.stdout).toBe('far\n');
    expect(jump.log()).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${second.port}`));
    expect(second.log()).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${inner.port}`));
    expect(prompter.asked).toEqual([]);
  });

  it('refuses a changed key on the jump host before reaching the target', async () => {
    const known = trusting(temp.dir, inner);
    // Another ed25519 key recorded for the jump host: the client's own public key will do.
    const recorded = readFileSync(`${keys.plain}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(known.user[0], `[127.0.0.1]:${jump.port} ${recorded}\n`, { flag: 'a' });
    const hop = targetFor(jump, { identityFiles: [keys.plain] });
    const target = targetFor(inner, { identityFiles: [keys.plain], jumps: [hop] });
    const innerLogBefore = inner.log().length;

    const error = (await makeHost({ target, prompter: scriptedPrompter(), knownHosts: known })
      .connect()
      .catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('host-key-changed');
    expect(error.message).toBe(`unable to connect to [127.0.0.1]:${jump.port}`);
    expect(error.reason).toContain(
      `${known.user[0]}:2 records ${keygenFingerprint(`${keys.plain}.pub`)}`,
    );
    expect(inner.log().slice(innerLogBefore)).not.toMatch(/Connection from|Accepted/);
  });
});
