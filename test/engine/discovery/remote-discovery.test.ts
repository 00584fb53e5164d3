import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalCapabilities } from '../../../main/engine/discovery/capabilities';
import { listLocalProcesses } from '../../../main/engine/discovery/local-discovery';
import {
  getRemoteProcess,
  listRemoteProcesses,
} from '../../../main/engine/discovery/remote-discovery';
import { FdscopeError } from '../../../main/engine/errors';
import { createCommandHost } from '../../../main/engine/host/command-host';
import type { Host } from '../../../main/engine/host/host';
import { createLocalHost } from '../../../main/engine/host/local-host';
import type { ProcessInfo } from '../../../preload/contract';
import { busyboxDir, type BusyboxDir } from '../../helpers/busybox';
import {
  closeAllFixtures,
  startFixture,
  tempDir,
  waitFor,
  type Fixture,
} from '../../helpers/proc-fixtures';

const temp = tempDir();
let busybox: BusyboxDir;
let fixtures: Fixture[] = [];

beforeAll(async () => {
  busybox = busyboxDir();
  fixtures = await Promise.all([
    startFixture({ stdout: 'pipe', comm: 'fds pipe' }),
    startFixture({ stdout: 'file', path: temp.path('out.log'), comm: 'fds file' }),
    startFixture({ stdout: 'append', path: temp.path('app.log'), comm: 'fds append' }),
    startFixture({ stdout: 'deleted', path: temp.path('gone.log'), comm: 'fds deleted' }),
    startFixture({ stdout: 'null', comm: 'fds null' }),
    startFixture({ stdout: 'pty', comm: 'fds pty' }),
    startFixture({ stdout: 'socket', comm: 'fds socket' }),
  ]);
  // The forks set up their fds and comm a moment after their pids are known.
  await waitFor(() => {
    const list = listLocalProcesses().processes;
    return fixtures.every((f) => list.find((p) => p.pid === f.pid)?.comm.startsWith('fds '));
  }, 'the fixtures in place');
});
afterAll(async () => {
  await closeAllFixtures();
  busybox.remove();
  temp.remove();
});

/** Local discovery's view of the fixtures, to compare the remote one with. */
function localView(): ProcessInfo[] {
  const list = listLocalProcesses(readLocalCapabilities()).processes;
  return fixtures.map((f) => list.find((p) => p.pid === f.pid)!);
}

async function remoteView(host: Host): Promise<ProcessInfo[]> {
  const { processes } = await listRemoteProcesses(host);
  return fixtures.map((f) => processes.find((p) => p.pid === f.pid)!);
}

describe('remote discovery', () => {
  it('sees every fixture as local discovery does, through dash', async () => {
    const remote = await remoteView(createLocalHost());

    expect(remote).toEqual(localView());
  });

  it('sees every fixture as local discovery does with busybox tools alone', async () => {
    const host = createCommandHost(['env', '-i', `PATH=${busybox.dir}`], { id: 'bb' });

    const remote = await remoteView(host);

    expect(remote).toEqual(localView());
    expect(remote.map((p) => p.fds[1].kind)).toEqual([
      'pipe',
      'file',
      'file',
      'deleted',
      'null',
      'tty',
      'socket',
    ]);
  });

  it('reads the same capabilities as local discovery', async () => {
    const { capabilities } = await listRemoteProcesses(createLocalHost());

    expect(capabilities).toEqual(readLocalCapabilities());
  });

  it('keeps command lines with newlines, quotes and forged headers whole', async () => {
    const argv = ['a\nb', 'it\'s "x"', '\n==> /proc/1/cmdline <==\n', 'é ü', ''];
    const script = 'import time; time.sleep(30)';
    // The interpreter itself, not a shim that execs it a moment later.
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'])
      .toString()
      .trim();
    const child = spawn(python, ['-c', script, ...argv], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const bb = createCommandHost(['env', '-i', `PATH=${busybox.dir}`], { id: 'bb' });
    try {
      const { process: proc } = await getRemoteProcess(bb, child.pid!);

      const local = listLocalProcesses().processes.find((p) => p.pid === child.pid);
      expect(proc.argv.slice(-argv.length)).toEqual(argv);
      expect(proc.argv).toEqual(local?.argv);
      expect(proc.command).toBe(local?.command);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('leaves out its own script and the processes it starts', async () => {
    const { processes } = await listRemoteProcesses(createLocalHost());

    const script = processes.filter((p) => p.argv.join(' ').includes('@@'));
    expect(script).toEqual([]);
    expect(processes.some((p) => p.pid === process.pid)).toBe(true);
  });

  it('says which process is missing', async () => {
    const error = await getRemoteProcess(createLocalHost(), 2 ** 22).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FdscopeError);
    expect((error as FdscopeError).code).toBe('no-such-process');
  });

  it('says the script could not run when the host has no sh', async () => {
    const host = createCommandHost(['env', '-i', 'PATH=/nonexistent'], { id: 'none' });

    const error = (await listRemoteProcesses(host).catch((e: unknown) => e)) as FdscopeError;

    expect(error.code).toBe('io');
    expect(error.oneLine()).toMatch(/unable to list the processes of .*exited with 127/);
  });
});
