// The engine on a command host: a PID namespace the test makes, entered with nsenter, whose
// process list is its own and whose writer (pid 2 there) is captured by every method.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/engine/create-engine';
import type { Engine } from '../../main/engine/engine';
import { toErrorInfo } from '../../main/engine/errors';
import type { WriteEvent } from '../../main/engine/capture/source';
import type { CaptureInfo, HostInfo } from '../../preload/contract';
import { startNamespace, stopAllNamespaces, type Namespace } from '../helpers/pid-namespace';
import { tempDir, waitFor } from '../helpers/proc-fixtures';

let engine: Engine;
let temp: ReturnType<typeof tempDir>;

beforeEach(() => {
  temp = tempDir();
  engine = createEngine({ dataDir: temp.path('data') });
});
afterEach(async () => {
  await engine.close();
  await stopAllNamespaces();
  temp.remove();
});

async function namespaceHost(lines = 40, setup?: string): Promise<[Namespace, HostInfo]> {
  const ns = await startNamespace({
    file: temp.path('out.log'),
    goFile: temp.path('go'),
    lines,
    intervalMs: 10,
    setup,
  });
  const host = await engine.handle('hosts:add', {
    kind: 'command',
    label: 'namespace',
    spec: `nsenter -t ${ns.initPid} -p -m --`,
  });
  return [ns, host];
}

/** Every write of a capture, per fd, as stored. */
function collect(id: string): Map<number, Buffer[]> {
  const byFd = new Map<number, Buffer[]>();
  engine.onWrites(id, (writes: WriteEvent[]) => {
    for (const w of writes) byFd.set(w.fd, [...(byFd.get(w.fd) ?? []), w.bytes]);
  });
  return byFd;
}

const joined = (parts: Buffer[] | undefined) => Buffer.concat(parts ?? []).toString();
const expected = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i}\n`).join('');

/** Processes of this machine whose command line holds the text. */
function running(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function stopped(id: string): Promise<CaptureInfo> {
  return engine.handle('capture:stop', { id });
}

describe('a command host on a PID namespace', () => {
  it("lists the namespace's processes: the writer is pid 2, its pipe read by pid 3", async () => {
    const [, host] = await namespaceHost();

    const { processes, capabilities } = await engine.handle('processes:list', {
      hostId: host.id,
    });

    expect(host).toMatchObject({ kind: 'command', label: 'namespace' });
    expect(processes.map((p) => [p.pid, p.comm])).toEqual([
      [1, 'sh'],
      [2, expect.stringMatching(/^python3/)],
      [3, 'cat'],
    ]);
    const writer = processes[1];
    expect(writer.fds[1]).toMatchObject({ kind: 'file', link: temp.path('out.log') });
    expect(writer.fds[2]).toMatchObject({ kind: 'pipe', readers: [{ pid: 3, comm: 'cat' }] });
    expect(capabilities.strace).toBe('/usr/bin/strace');
  });

  it('follows the file on fd 1 of pid 2 inside, equal to what the writer wrote', async () => {
    const [, host] = await namespaceHost();
    const info = await engine.handle('capture:start', {
      hostId: host.id,
      pid: 2,
      fds: [1],
      method: 'file',
      fromStart: true,
    });
    const byFd = collect(info.id);

    writeFileSync(temp.path('go'), '');
    await waitFor(() => joined(byFd.get(1)).endsWith('out 39\n'), 'the last line');
    const end = await stopped(info.id);

    expect(info).toMatchObject({ method: 'file', timing: 'observed', hostId: host.id, pid: 2 });
    expect(joined(byFd.get(1))).toBe(expected('out', 40));
    expect(end.endReason).toBe('stopped by user');
    // nsenter passes no signal on: the loop inside ends because its stdin did.
    await waitFor(() => running('fdscope-follow').length === 0, 'the remote loop to end');
  });

  it('traces pid 2 inside with the strace the namespace sees, fd 1 and fd 2 apart', async () => {
    const [ns, host] = await namespaceHost();
    const info = await engine.handle('capture:start', {
      hostId: host.id,
      pid: 2,
      fds: [1, 2],
      method: 'trace',
    });
    const byFd = collect(info.id);

    writeFileSync(temp.path('go'), '');
    await waitFor(() => joined(byFd.get(2)).endsWith('err 39\n'), 'the last traced line');
    await stopped(info.id);

    expect(running('fdscope-guard')).toEqual([]);
    // No strace left inside: it traced pid 2 of the namespace (kthreadd's number out here).
    expect(running('-p\u00002\u0000')).toEqual([]);
    expect(info).toMatchObject({ method: 'trace', timing: 'syscall' });
    expect(joined(byFd.get(1))).toBe(expected('out', 40));
    expect(joined(byFd.get(2))).toBe(expected('err', 40));
    // Nothing taken from the real reader: cat passed every line on.
    await waitFor(() => ns.piped().toString().endsWith('err 39\n'), "the reader's copy");
    expect(ns.piped().toString()).toBe(expected('err', 40));
  });

  it('reads the pipe of pid 2 only with consent, taking lines from the real reader', async () => {
    const [ns, host] = await namespaceHost(200);
    const request = { hostId: host.id, pid: 2, fds: [2], method: 'pipe' as const };

    const refused = await engine
      .handle('capture:start', request)
      .then(() => ({ code: 'none', reason: '' }))
      .catch((e: unknown) => toErrorInfo(e));
    const info = await engine.handle('capture:start', { ...request, confirmPipe: true });
    const byFd = collect(info.id);
    writeFileSync(temp.path('go'), '');
    await waitFor(() => joined(byFd.get(2)).length > 100, 'lines read from the pipe');
    await stopped(info.id);

    expect(refused).toMatchObject({ code: 'pipe-needs-confirm' });
    expect(refused.reason).toMatch(/the pipe's reader is cat \(pid 3\)/);
    expect(info.notices[0]?.message ?? '').toMatch(/reading the pipe beside cat/);
    const taken = joined(byFd.get(2)).split('\n').filter(Boolean);
    const copy = ns.piped().toString().split('\n');
    expect(taken.every((line) => /^err \d+$/.test(line) && !copy.includes(line))).toBe(true);
    await waitFor(() => running('fdscope-read-pipe').length === 0, 'the remote cat to end');
  });

  it('says strace is not installed on this host when the namespace cannot see it', async () => {
    const empty = temp.path('empty');
    const hide = `touch ${empty} && mount --bind ${empty} /usr/bin/strace`;
    const [, host] = await namespaceHost(40, hide);
    const { processes } = await engine.handle('processes:list', { hostId: host.id });
    const writer = processes.find((p) => p.comm.startsWith('python'))!;

    const error = await engine
      .handle('capture:start', { hostId: host.id, pid: writer.pid, fds: [2], method: 'trace' })
      .catch((e: unknown) => toErrorInfo(e));

    expect(writer.methods['2']).toMatchObject({ method: 'trace', allowed: false });
    expect(error).toMatchObject({ code: 'strace-missing' });
    expect((error as { reason: string }).reason).toMatch(/strace is not installed on this host/);
  });
});
