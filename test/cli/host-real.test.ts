// fdscope ps and tap, built, with --host exec: on a PID namespace the test makes: the list is
// the namespace's own, and tap captures its pid 1 byte for byte.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../preload/contract';
import { startNamespace, stopAllNamespaces } from '../helpers/pid-namespace';
import { tempDir, waitFor } from '../helpers/proc-fixtures';

let temp: ReturnType<typeof tempDir>;

beforeAll(() => {
  if (!existsSync('out/main/cli.js'))
    throw new Error('out/main/cli.js is missing: run npm run build');
});
beforeEach(() => {
  temp = tempDir();
});
afterEach(async () => {
  await stopAllNamespaces();
  temp.remove();
});

function fdscope(...args: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
  const child = spawn(process.execPath, ['bin/fdscope.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FDSCOPE_LOG: 'off', FDSCOPE_DATA_DIR: temp.path('data') },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code, out: Buffer.concat(out), err: Buffer.concat(err).toString() }),
    ),
  );
}

async function namespace(writerIsInit: boolean) {
  return startNamespace({
    file: temp.path('out.log'),
    goFile: temp.path('go'),
    lines: 60,
    intervalMs: 10,
    writerIsInit,
  });
}

/** The TracerPid of a host process: non-zero once strace holds it. */
function tracer(pid: number): number {
  return Number(/^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `out ${i}\n`).join('');

describe('fdscope --host exec:', () => {
  it("ps lists the namespace's own processes", async () => {
    const ns = await namespace(false);

    const run = await fdscope('ps', '--json', '--host', `exec:nsenter -t ${ns.initPid} -p -m --`);

    expect(run.code).toBe(0);
    const { processes } = JSON.parse(run.out.toString()) as { processes: ProcessInfo[] };
    expect(processes.map((p) => p.pid)).toEqual([1, 2, 3]);
    expect(processes[1].fds[1]).toMatchObject({ kind: 'file', link: temp.path('out.log') });
  });

  it("tap traces pid 1 inside, printing exactly the writer's bytes", async () => {
    const ns = await namespace(true);
    const host = `exec:nsenter -t ${ns.initPid} -p -m --`;

    const tap = fdscope(
      'tap',
      '1',
      '--host',
      host,
      '--fd',
      '1',
      '--method',
      'trace',
      '--duration',
      '2',
    );
    await waitFor(() => tracer(ns.initPid) !== 0, 'strace to attach', 8000);
    writeFileSync(temp.path('go'), '');
    const run = await tap;

    expect(run.code).toBe(0);
    expect(run.out.toString()).toBe(lines(60));
    expect(readFileSync(temp.path('out.log')).toString()).toBe(lines(60));
    expect(run.err).toMatch(/captured 410 bytes in 60 writes from pid 1/);
  });

  it('tap follows the file of pid 1 inside from its start', async () => {
    const ns = await namespace(true);
    writeFileSync(temp.path('go'), '');
    await waitFor(
      () => readFileSync(temp.path('out.log')).length === lines(60).length,
      'the writer',
    );
    const host = `exec:nsenter -t ${ns.initPid} -p -m --`;

    const run = await fdscope(
      'tap',
      '1',
      '--host',
      host,
      '--fd',
      '1',
      '--from-start',
      '--duration',
      '1',
    );

    expect(run.code).toBe(0);
    expect(run.out.toString()).toBe(lines(60));
  });

  it('says what is wrong with a bad --host', async () => {
    const run = await fdscope('ps', '--host', 'exec:');

    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--host 'exec:': unable to use that wrapper command: it is empty/);
  });
});
