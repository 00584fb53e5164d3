import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLocalCapabilities } from '../../../main/engine/discovery/capabilities';
import {
  getLocalProcess,
  listLocalProcesses,
} from '../../../main/engine/discovery/local-discovery';
import { FdscopeError } from '../../../main/engine/errors';
import type { HostCapabilities, ProcessInfo } from '../../../preload/contract';
import {
  closeAllFixtures,
  isAlive,
  startFixture,
  tempDir,
  waitFor,
  type FixtureSpec,
} from '../../helpers/proc-fixtures';

let caps: HostCapabilities;
const temp = tempDir();

beforeAll(() => {
  caps = readLocalCapabilities();
});
afterEach(closeAllFixtures);
afterAll(() => temp.remove());

/** Starts a sleeping target and returns it as discovery sees it once its fd 1 is in place. */
async function discover(spec: FixtureSpec): Promise<{ proc: ProcessInfo; readerPid?: number }> {
  const fixture = await startFixture(spec);
  const proc = await waitFor(() => {
    const found = listLocalProcesses(caps).processes.find((p) => p.pid === fixture.pid);
    // The fork sets up fd 1 (and comm) a moment after the pid is known.
    const ready = found && (!spec.comm || found.comm === spec.comm);
    return ready && found.fds[1]?.kind !== 'unknown' ? found : undefined;
  }, `pid ${fixture.pid} in the list`);
  return { proc, readerPid: fixture.readerPid };
}

describe('listLocalProcesses', () => {
  it('shows fd 1 on a pipe with its inode and names the process reading it', async () => {
    const { proc, readerPid } = await discover({ stdout: 'pipe' });

    const fd1 = proc.fds[1];
    expect(fd1.kind).toBe('pipe');
    expect(fd1.link).toBe(`pipe:[${fd1.inode}]`);
    expect(fd1.readers).toEqual([{ pid: readerPid, comm: 'python3' }]);
    expect(proc.methods['1']).toEqual({ method: 'trace', allowed: true, alternatives: ['pipe'] });
  });

  it('shows fd 1 on a file opened with >> as appending, with its size and position', async () => {
    const path = temp.path('append.log');

    const { proc } = await discover({ stdout: 'append', path });

    expect(proc.fds[1]).toMatchObject({ kind: 'file', link: path, append: true, size: 0, pos: 0 });
    expect(proc.methods['1']).toEqual({ method: 'file', allowed: true, alternatives: ['trace'] });
  });

  it('shows fd 1 on a file opened with > as not appending', async () => {
    const path = temp.path('truncate.log');

    const { proc } = await discover({ stdout: 'file', path });

    expect(proc.fds[1]).toMatchObject({ kind: 'file', append: false });
    expect(proc.fds[1].inode).toBeGreaterThan(0);
  });

  it('shows fd 1 on /dev/null, to be traced', async () => {
    const { proc } = await discover({ stdout: 'null' });

    expect(proc.fds[1]).toMatchObject({ kind: 'null', link: '/dev/null' });
    expect(proc.methods['1']).toEqual({ method: 'trace', allowed: true, alternatives: [] });
  });

  it('shows fd 1 on a pty as a terminal, never offering to read it', async () => {
    const { proc } = await discover({ stdout: 'pty' });

    expect(proc.fds[1].kind).toBe('tty');
    expect(proc.fds[1].link).toMatch(/^\/dev\/pts\/\d+$/);
    expect(proc.methods['1']).toEqual({ method: 'trace', allowed: true, alternatives: [] });
  });

  it('shows fd 1 on a socket with its inode, to be traced', async () => {
    const { proc } = await discover({ stdout: 'socket' });

    expect(proc.fds[1].kind).toBe('socket');
    expect(proc.fds[1].link).toBe(`socket:[${proc.fds[1].inode}]`);
    expect(proc.methods['1'].method).toBe('trace');
  });

  it('shows fd 1 on a deleted file, still to be followed', async () => {
    const path = temp.path('deleted.log');

    const { proc } = await discover({ stdout: 'deleted', path });

    expect(proc.fds[1]).toMatchObject({ kind: 'deleted', link: `${path} (deleted)` });
    expect(proc.methods['1'].method).toBe('file');
  });

  it('reads a comm with spaces and a closing parenthesis whole', async () => {
    const comm = 'my (odd) name)';

    const { proc } = await discover({ stdout: 'null', comm });

    expect(proc.comm).toBe(comm);
    expect(proc.state).toMatch(/^[RS]$/);
    expect(proc.ppid).toBeGreaterThan(1);
    expect(proc.argv[0]).toMatch(/python3[.0-9]*$/);
  });

  it('gives each process its user, start time, threads and tracer', async () => {
    const before = Date.now();

    const { proc } = await discover({ stdout: 'null' });

    expect(proc.user).toBe(caps.user);
    expect(proc.uid).toBe(caps.uid);
    expect(proc.tracerPid).toBe(0);
    expect(proc.threads).toBe(1);
    expect(proc.exe).toMatch(/python/);
    // starttime has 10 ms ticks and btime whole seconds: allow a second and a bit either way.
    expect(Math.abs(proc.startedAt - before)).toBeLessThan(5000);
  });

  it('leaves out kernel threads', () => {
    const { processes } = listLocalProcesses(caps);

    expect(processes.some((p) => p.pid === 2 || p.ppid === 2)).toBe(false);
    expect(processes.find((p) => p.pid === process.pid)?.comm).toBeTruthy();
  });

  it('keeps scanning while processes start and exit during the scan', async () => {
    const churn = spawn('sh', ['-c', 'while :; do /bin/true & /bin/true; done'], {
      stdio: 'ignore',
    });
    try {
      for (let i = 0; i < 40; i++) {
        const { processes } = listLocalProcesses(caps);

        expect(processes.find((p) => p.pid === process.pid)).toBeDefined();
        for (const p of processes) expect(p.methods['1']).toBeDefined();
      }
    } finally {
      churn.kill('SIGKILL');
      await new Promise((resolve) => churn.once('exit', resolve));
    }
  });
});

describe('the fixtures', () => {
  it('leave none of their processes behind once closed', async () => {
    const fixture = await startFixture({ stdout: 'pipe' });
    expect(isAlive(fixture.pid) && isAlive(fixture.readerPid!)).toBe(true);

    await fixture.close();

    expect(isAlive(fixture.pid)).toBe(false);
    expect(isAlive(fixture.readerPid!)).toBe(false);
  });
});

describe('getLocalProcess', () => {
  it('reads one process like the list does', async () => {
    const { proc } = await discover({ stdout: 'pipe' });

    const one = getLocalProcess(proc.pid, caps);

    expect(one.fds).toEqual(proc.fds);
    expect(one.methods).toEqual(proc.methods);
  });

  it('throws no-such-process for a pid that does not exist', () => {
    const call = () => getLocalProcess(2 ** 22 + 1, caps);

    expect(call).toThrow(FdscopeError);
    expect(call).toThrow(expect.objectContaining({ code: 'no-such-process' }));
  });

  it('names the tracer of a process strace is already attached to', async () => {
    const { proc } = await discover({ stdout: 'null' });
    const strace = spawn('strace', ['-p', String(proc.pid), '-o', '/dev/null'], {
      stdio: 'ignore',
    });
    try {
      const traced = await waitFor(() => {
        const one = getLocalProcess(proc.pid, caps);
        return one.tracerPid !== 0 ? one : undefined;
      }, 'strace to attach');

      expect(traced.tracerPid).toBe(strace.pid);
      expect(traced.methods['1']).toMatchObject({
        method: 'trace',
        allowed: false,
        reason: `already traced by PID ${strace.pid} (strace)`,
      });
    } finally {
      strace.kill('SIGTERM');
      await new Promise((resolve) => strace.once('exit', resolve));
    }

    // strace detaches on SIGTERM: the target runs on, untraced.
    expect(isAlive(proc.pid)).toBe(true);
    expect(getLocalProcess(proc.pid, caps).tracerPid).toBe(0);
  });
});
