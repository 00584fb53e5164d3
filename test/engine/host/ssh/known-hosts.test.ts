import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint, keyTypeOf } from '../../../../main/engine/host/ssh/host-key';
import {
  appendKnownHost,
  checkHostKey,
  knownHostsLine,
  parseKnownHosts,
  readKnownHosts,
} from '../../../../main/engine/host/ssh/known-hosts';
import { keygenFingerprint } from '../../../helpers/sshd';
import { scratch } from './ssh-fixtures';

const temp = scratch();
afterAll(() => temp.cleanup());

function newKey(type: string, name: string): { blob: Buffer; line: string; pub: string } {
  const path = join(temp.dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim();
  return { blob: Buffer.from(line.split(' ')[1], 'base64'), line, pub: `${path}.pub` };
}

const ed = newKey('ed25519', 'ed');
const rsa = newKey('rsa', 'rsa');
const ecdsa = newKey('ecdsa', 'ecdsa');

describe('fingerprints', () => {
  it('are written exactly as ssh-keygen -lf prints them, for every key type', () => {
    for (const key of [ed, rsa, ecdsa]) {
      expect(fingerprint(key.blob)).toBe(keygenFingerprint(key.pub));
    }
    expect(keyTypeOf(rsa.blob)).toBe('ssh-rsa');
  });
});

describe('known_hosts entries', () => {
  it('match a host in a comma list, by wildcard, and not when negated', () => {
    const text = [`old.example,[127.0.0.1]:2222 ${ed.line}`, `*.prod,!db.prod ${rsa.line}`].join(
      '\n',
    );
    const entries = parseKnownHosts(text, 'kh');

    expect(checkHostKey(entries, '127.0.0.1', 2222, ed.blob).status).toBe('known');
    expect(checkHostKey(entries, '127.0.0.1', 22, ed.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'web.prod', 22, rsa.blob).status).toBe('known');
    expect(checkHostKey(entries, 'db.prod', 22, rsa.blob).status).toBe('unknown');
  });

  it('match hashed |1| names made by ssh-keygen -H', () => {
    const file = join(temp.dir, 'hashed');
    writeFileSync(file, `[127.0.0.1]:2222 ${ed.line}\nplain.example ${rsa.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const entries = readKnownHosts([file]);

    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, '127.0.0.1', 2222, ed.blob).status).toBe('known');
    expect(checkHostKey(entries, 'plain.example', 22, rsa.blob).status).toBe('known');
    expect(checkHostKey(entries, 'other.example', 22, rsa.blob).status).toBe('unknown');
  });

  it('call a different key of the same type changed, naming the line', () => {
    const other = newKey('ed25519', 'ed2');
    const entries = parseKnownHosts(`# c\n\nh ${rsa.line}\nh ${ed.line}\n`, '/x/known_hosts');

    const verdict = checkHostKey(entries, 'h', 22, other.blob);

    expect(verdict).toMatchObject({
      status: 'changed',
      entry: { file: '/x/known_hosts', line: 4 },
    });
  });

  it('report a key of another type as unknown, listing the known types', () => {
    const entries = parseKnownHosts(`h ${rsa.line}\n`, 'kh');

    expect(checkHostKey(entries, 'h', 22, ed.blob)).toEqual({
      status: 'unknown',
      otherKnownTypes: ['ssh-rsa'],
    });
  });

  it('refuse a key marked @revoked and skip @cert-authority lines', () => {
    const text = `@revoked * ${ed.line}\n@cert-authority h ${rsa.line}\nh ${ed.line}\n`;
    const entries = parseKnownHosts(text, 'kh');

    expect(checkHostKey(entries, 'h', 22, ed.blob).status).toBe('revoked');
    expect(checkHostKey(entries, 'h', 22, rsa.blob).status).toBe('unknown');
  });

  it('write a line that ssh-keygen -F finds under [host]:port', () => {
    const file = join(temp.dir, 'sub', 'app_known_hosts');

    appendKnownHost(file, knownHostsLine('127.0.0.1', 2222, 'ssh-ed25519', ed.blob));
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], {
      encoding: 'utf8',
    });

    expect(found).toContain(`[127.0.0.1]:2222 ${ed.line}`);
  });
});
