import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseConfigFile,
  parseConfigText,
  splitWords,
} from '../../../../main/engine/host/ssh/config-parse';
import {
  matchesPatternList,
  parseDestination,
  resolveTarget,
} from '../../../../main/engine/host/ssh/config-resolve';
import {
  configHostAliases,
  readUserConfig,
  resolveDestination,
  userKnownHostsFiles,
} from '../../../../main/engine/host/ssh/user-config';

const ctx = { localUser: 'me', home: '/home/me', localHostName: 'laptop' };

function resolve(config: string, destination: string) {
  return resolveTarget(parseDestination(destination), parseConfigText(config), ctx);
}

describe('ssh config lines', () => {
  it('splits keyword and arguments, with = and quotes, and drops comments', () => {
    expect(splitWords('  HostName=db.example  # the db')).toEqual(['HostName', 'db.example']);
    expect(splitWords('IdentityFile "~/my keys/id"')).toEqual(['IdentityFile', '~/my keys/id']);
    expect(splitWords('Port = 2222')).toEqual(['Port', '2222']);
    expect(splitWords('# only a comment')).toEqual([]);
    expect(splitWords('User "open')).toBeNull();
  });
});

describe('host patterns', () => {
  it('matches wildcards and ? and refuses a negated match', () => {
    expect(matchesPatternList('web1.prod', ['*.prod'])).toBe(true);
    expect(matchesPatternList('web1.prod', ['web?.prod'])).toBe(true);
    expect(matchesPatternList('web10.prod', ['web?.prod'])).toBe(false);
    expect(matchesPatternList('db.prod', ['*.prod', '!db.prod'])).toBe(false);
    expect(matchesPatternList('DB.Prod', ['db.prod'])).toBe(true);
    expect(matchesPatternList('x', ['!y'])).toBe(false);
  });
});

describe('resolving a host through config', () => {
  const config = [
    'Host db',
    '  HostName %h.internal.example',
    '  User postgres',
    '  Port 2222',
    '  IdentityFile ~/.ssh/db_%r_%h',
    '  IdentityFile %d/keys/%u',
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    'Host *.prod !bastion.prod',
    '  User deploy',
    '  ProxyJump bastion.prod',
    '  ServerAliveInterval 7',
    'Host bastion.prod',
    '  User jump',
    '  Port 2200',
    'Host *',
    '  User fallback',
    '  Port 22',
    '  ServerAliveCountMax 4',
    'Match host db',
    '  User ignored',
  ].join('\n');

  it('takes the first value of each keyword from the blocks that match', () => {
    const target = resolve(config, 'db');

    expect(target).toMatchObject({
      hostName: 'db.internal.example',
      user: 'postgres',
      port: 2222,
      serverAliveCountMax: 4,
      serverAliveIntervalS: null,
      jumps: [],
    });
  });

  it('reads IdentitiesOnly and IdentityAgent', () => {
    expect(resolve(config, 'db')).toMatchObject({ identitiesOnly: true, identityAgent: 'none' });
    expect(resolve(config, 'other')).toMatchObject({ identitiesOnly: false, identityAgent: null });
  });

  it('expands ~ and %-tokens in every IdentityFile, in order', () => {
    expect(resolve(config, 'db').identityFiles).toEqual([
      '/home/me/.ssh/db_postgres_db.internal.example',
      '/home/me/keys/me',
    ]);
  });

  it('uses the default key files when config names none', () => {
    expect(resolve(config, 'other').identityFiles).toEqual([
      '/home/me/.ssh/id_rsa',
      '/home/me/.ssh/id_ecdsa',
      '/home/me/.ssh/id_ed25519',
    ]);
  });

  it('lets the destination user and port win over config', () => {
    expect(resolve(config, 'alice@db:2022')).toMatchObject({ user: 'alice', port: 2022 });
  });

  it('resolves a jump host under its own config, and not the negated pattern', () => {
    const target = resolve(config, 'web1.prod');

    expect(target.user).toBe('deploy');
    expect(target.serverAliveIntervalS).toBe(7);
    expect(target.jumps).toHaveLength(1);
    expect(target.jumps[0]).toMatchObject({ hostName: 'bastion.prod', user: 'jump', port: 2200 });
  });

  it('chains a ProxyJump list with user@host:port hops in order', () => {
    const text = 'Host far\n  ProxyJump alice@127.0.0.1:2201,bob@hop2:2202\n';

    const target = resolve(text, 'far');

    expect(target.jumps.map((j) => `${j.user}@${j.hostName}:${j.port}`)).toEqual([
      'alice@127.0.0.1:2201',
      'bob@hop2:2202',
    ]);
  });

  it('ignores Match blocks and notes them', () => {
    const parsed = parseConfigText(config);

    expect(resolve(config, 'db').user).toBe('postgres');
    expect(parsed.notes.join('\n')).toMatch(/Match blocks are not supported/);
  });

  it('refuses a ProxyJump loop with a clear error', () => {
    const text = 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n';

    expect(() => resolve(text, 'a')).toThrow(/unable to resolve ProxyJump/);
  });
});

describe('destinations', () => {
  it('reads user, host and port in the forms ssh accepts', () => {
    expect(parseDestination('alice@h:2222')).toEqual({ user: 'alice', host: 'h', port: 2222 });
    expect(parseDestination('[::1]:2200')).toEqual({ user: undefined, host: '::1', port: 2200 });
    expect(parseDestination('ssh://bob@h:23')).toEqual({ user: 'bob', host: 'h', port: 23 });
    expect(parseDestination('h')).toEqual({ user: undefined, host: 'h', port: undefined });
  });

  it('says what was wrong with a bad destination', () => {
    expect(() => parseDestination('h:99999')).toThrow(/unable to read the destination "h:99999"/);
    expect(() => parseDestination('@h')).toThrow(/unable to read the destination/);
  });
});

describe('Include', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-sshconf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads globbed files in place, relative to the include base, in sorted order', () => {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', '20-b.conf'), 'Host box\n  User second\n  Port 2\n');
    writeFileSync(join(dir, 'conf.d', '10-a.conf'), 'Host box\n  User first\n');
    writeFileSync(join(dir, 'config'), 'Include conf.d/*.conf\nHost box\n  Port 9\n');

    const parsed = parseConfigFile(join(dir, 'config'), { includeBase: dir });
    const target = resolveTarget({ host: 'box' }, parsed, ctx);

    expect(target.user).toBe('first');
    expect(target.port).toBe(2);
  });

  it('applies an Include inside a Host block only to that host', () => {
    writeFileSync(join(dir, 'inner'), 'User inner\n');
    writeFileSync(join(dir, 'config2'), 'Host only\n  Include inner\n');

    const parsed = parseConfigFile(join(dir, 'config2'), { includeBase: dir });

    expect(resolveTarget({ host: 'only' }, parsed, ctx).user).toBe('inner');
    expect(resolveTarget({ host: 'other' }, parsed, ctx).user).toBe('me');
  });

  it('treats a missing config file as empty', () => {
    expect(parseConfigFile(join(dir, 'absent')).entries).toEqual([]);
  });
});

describe("the user's ssh setup", () => {
  const home = mkdtempSync(join(tmpdir(), 'fdscope-sshhome-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'extra'), 'Host lab-*\n  User lab\nHost lab-1\n  Port 2201\n');
  writeFileSync(
    join(home, '.ssh', 'config'),
    'Include extra\nHost web db,cache !nope *.prod\n  User ops\n  UserKnownHostsFile ~/kh\n',
  );

  it('resolves what the user typed through ~/.ssh/config and its Includes', () => {
    const target = resolveDestination('lab-1', { home });

    expect(target).toMatchObject({ hostName: 'lab-1', user: 'lab', port: 2201 });
    expect(resolveDestination('root@db:2', { home })).toMatchObject({ user: 'root', port: 2 });
  });

  it('lists the aliases that name one host, for the host list', () => {
    expect(configHostAliases(readUserConfig({ home }))).toEqual(['lab-1', 'web', 'db', 'cache']);
  });

  it("reads the known-hosts files ssh would, or the config's own", () => {
    const files = userKnownHostsFiles(resolveDestination('other', { home }), home);

    expect(files.slice(0, 2)).toEqual([
      join(home, '.ssh', 'known_hosts'),
      join(home, '.ssh', 'known_hosts2'),
    ]);
    expect(userKnownHostsFiles(resolveDestination('web', { home }), home)[0]).toBe(
      join(home, 'kh'),
    );
  });
});
