import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostRegistry, type SshHostFactory } from '../../../main/engine/host/host-registry';
import { createCommandHost } from '../../../main/engine/host/command-host';
import { validateRequest } from '../../../preload/validate';

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return (error as { oneLine?: () => string }).oneLine?.() ?? String(error);
  }
  throw new Error('expected a failure');
}

describe('HostRegistry', () => {
  it('adds a command host next to this machine, and removes it', async () => {
    const hosts = new HostRegistry();

    const added = await hosts.add({ kind: 'command', label: '', spec: "docker exec -i 'my box'" });
    const listed = hosts.list();
    await hosts.remove(added.id);

    expect(added).toEqual({
      id: 'command-1',
      label: "docker exec -i 'my box'",
      kind: 'command',
      origin: 'added',
    });
    expect(listed.map((h) => h.id)).toEqual(['local', 'command-1']);
    expect(hosts.list().map((h) => h.id)).toEqual(['local']);
  });

  it('says SSH is not wired when no SSH factory is given, and uses one when it is', async () => {
    const bare = new HostRegistry();
    const wired = new HostRegistry(undefined, ({ id, label }) =>
      Object.assign(createCommandHost(['true'], { id, label }), {
        info: { id, label, kind: 'ssh' as const },
      }),
    );

    const message = await failure(bare.add({ kind: 'ssh', label: 'db', spec: 'me@db:2222' }));
    const added = await wired.add({ kind: 'ssh', label: 'db', spec: 'me@db:2222' });

    expect(message).toMatch(/unable to add the SSH host "me@db:2222": SSH hosts are not wired yet/);
    expect(added).toEqual({ id: 'ssh-1', label: 'db', kind: 'ssh', origin: 'added' });
  });

  it('refuses to remove this machine, and names the hosts when one is unknown', async () => {
    const hosts = new HostRegistry();

    expect(await failure(hosts.remove('local'))).toMatch(/unable to remove this machine/);
    expect(await failure(() => hosts.get('nope'))).toMatch(/unable to find host "nope".*"local"/);
  });

  it('refuses a wrapper that would need a shell', async () => {
    const hosts = new HostRegistry();

    const message = await failure(hosts.add({ kind: 'command', label: '', spec: 'a && b' }));

    expect(message).toMatch(/would need a shell/);
    expect(hosts.list()).toHaveLength(1);
  });
});

describe('hosts:add validation', () => {
  it('accepts ssh and command, and refuses any other kind or a missing spec', () => {
    expect(validateRequest('hosts:add', { kind: 'command', label: 'x', spec: 'y' })).toEqual({
      kind: 'command',
      label: 'x',
      spec: 'y',
    });
    expect(() => validateRequest('hosts:add', { kind: 'local', label: '', spec: 'y' })).toThrow(
      /expected ssh or command at payload.kind/,
    );
    expect(() => validateRequest('hosts:add', { kind: 'ssh', label: '' })).toThrow(/payload.spec/);
  });
});

describe('HostRegistry settings', () => {
  const sshAsCommand: SshHostFactory = ({ id, label }) =>
    Object.assign(createCommandHost(['true'], { id, label }), {
      info: { id, label, kind: 'ssh' as const },
    });

  it('keeps added hosts in hosts.json, secrets never, and restores them next time', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-hosts-'));
    const first = new HostRegistry(undefined, sshAsCommand, { dataDir });
    await first.add({ kind: 'ssh', label: 'db', spec: 'me@db:2222' });
    const box = await first.add({ kind: 'command', label: '', spec: 'docker exec -i box' });
    await first.remove(box.id);
    await first.add({ kind: 'command', label: 'pod', spec: 'kubectl exec -i pod --' });

    const second = new HostRegistry(undefined, sshAsCommand, { dataDir });
    await second.restore();

    expect(second.list().map((h) => [h.label, h.kind, h.origin])).toEqual([
      ['This machine', 'local', undefined],
      ['db', 'ssh', 'added'],
      ['pod', 'command', 'added'],
    ]);
    expect(JSON.parse(readFileSync(join(dataDir, 'hosts.json'), 'utf8')).hosts).toEqual([
      { kind: 'ssh', label: 'db', spec: 'me@db:2222' },
      { kind: 'command', label: 'pod', spec: 'kubectl exec -i pod --' },
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists ~/.ssh/config aliases, makes one on first use, never removes one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-hosts-'));
    const hosts = new HostRegistry(undefined, sshAsCommand, {
      dataDir,
      configAliases: () => ['web1', 'db'],
    });

    const listed = hosts.list().filter((h) => h.origin === 'config');
    const web1 = hosts.get('ssh-config:web1');
    const message = await failure(hosts.remove('ssh-config:web1'));

    expect(listed.map((h) => h.id)).toEqual(['ssh-config:web1', 'ssh-config:db']);
    expect(web1.info).toMatchObject({ label: 'web1', kind: 'ssh', origin: 'config' });
    expect(hosts.get('ssh-config:web1')).toBe(web1);
    expect(message).toMatch(/unable to remove "web1": it is a Host in ~\/\.ssh\/config/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
