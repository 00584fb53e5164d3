// Attaching and ending: each refusal named with strace's own words, the target left untouched,
// and the reason a capture ended.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { FdscopeError } from '../../../main/engine/errors';
import type { Host } from '../../../main/engine/host/host';
import {
  livingChildren,
  procStatus,
  pythonPath,
  startWriter,
  stopAllWriters,
  waitUntil,
} from '../../helpers/writers';
import { attach, expectUntouched, localHost, waitForEvents } from './trace-fixtures';

const TICKER = 'import time\nwhile True:\n    print("tick", flush=True)\n    time.sleep(0.02)\n';

const EXIT_AFTER_3S = `
import sys, time
for i in range(60):
    print(i, flush=True)
    time.sleep(0.05)
sys.exit(3)
`;

afterEach(async () => {
  await stopAllWriters();
  expect(livingChildren()).toEqual([]);
});

async function attachError(pid: number, options: Parameters<typeof attach>[1] = {}) {
  const error = await attach(pid, options).then(
    () => null,
    (e: FdscopeError) => e,
  );
  expect(error).not.toBeNull();
  return error!;
}

// Runs every command, strace and the cat that reads /proc included, as nobody.
const asNobody: Host = {
  info: localHost.info,
  spawn: (argv, options) =>
    localHost.spawn(
      ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv],
      options,
    ),
};

// Runs every command under a seccomp filter that makes ptrace fail with EPERM (x86_64's
// syscall 101), as a sandbox or a container's profile would.
const NO_PTRACE = `
import ctypes, os, sys
class F(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint)]
class P(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(F))]
# load the call number; if ptrace, fail with EPERM; else allow
prog = (F * 4)(F(0x20, 0, 0, 0), F(0x15, 0, 1, 101), F(0x06, 0, 0, 0x00050001),
               F(0x06, 0, 0, 0x7fff0000))
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.prctl(22, 2, ctypes.byref(P(4, prog)), 0, 0) == 0  # PR_SET_SECCOMP, FILTER
os.execvp(sys.argv[1], sys.argv[1:])
`;
const underSeccomp: Host = {
  info: localHost.info,
  spawn: (argv, options) => localHost.spawn([pythonPath(), '-c', NO_PTRACE, ...argv], options),
};

describe('trace source attach refusals', () => {
  it('names a process that is gone', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const pid = writer.pid;
    await writer.stop();

    const error = await attachError(pid);

    expect(error.code).toBe('no-such-process');
    expect(error.message).toBe(`unable to attach to pid ${pid}`);
    expect(error.details).toContain('No such process');
  });

  it('names the tracer of a process already traced, and leaves it running', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const other = spawn('strace', ['-o', '/dev/null', '-p', String(writer.pid)], {
      stdio: 'ignore',
    });
    await waitUntil(() => procStatus(writer.pid)?.tracerPid === other.pid, 'the first tracer');

    const error = await attachError(writer.pid);
    other.kill('SIGINT');
    await new Promise((resolve) => other.once('close', resolve));

    expect(error.code).toBe('already-traced');
    expect(error.reason).toBe(`already traced by PID ${other.pid} (strace)`);
    expect(error.details).toContain('Operation not permitted');
    await expectUntouched(writer.pid);
  });

  it('says when the user lacks CAP_SYS_PTRACE for another user’s process', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });

    const error = await attachError(writer.pid, { host: asNobody });

    expect(error.code).toBe('ptrace-capability');
    expect(error.reason).toContain(`pid ${writer.pid} belongs to uid 0`);
    expect(error.details).toContain('Operation not permitted');
    await expectUntouched(writer.pid);
  });

  it('blames the seccomp filter that forbids ptrace', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });

    const error = await attachError(writer.pid, { host: underSeccomp });

    expect(error.code).toBe('ptrace-blocked');
    expect(error.reason).toContain('seccomp filter');
    expect(error.details).toContain('Operation not permitted');
    await expectUntouched(writer.pid);
  });

  it('names the tracer of a target already traced even when others hold its stream', async () => {
    const writer = await startWriter({
      language: 'shell',
      source: 'sh -c "echo \\$\\$ >&2; exec sleep 60" & while :; do echo tick; sleep 0.05; done',
    });
    await waitUntil(() => /^\d+\n$/.test(writer.stderr().toString()), 'the holder’s pid');
    const holder = Number(writer.stderr().toString());
    const other = spawn('strace', ['-o', '/dev/null', '-p', String(writer.pid)], {
      stdio: 'ignore',
    });
    await waitUntil(() => procStatus(writer.pid)?.tracerPid === other.pid, 'the first tracer');

    const error = await attachError(writer.pid);
    other.kill('SIGINT');
    await new Promise((resolve) => other.once('close', resolve));
    process.kill(holder, 'SIGKILL');

    expect(error.code).toBe('already-traced');
    expect(error.reason).toBe(`already traced by PID ${other.pid} (strace)`);
    expect(livingChildren().map((c) => c.comm)).not.toContain('strace');
    await expectUntouched(writer.pid);
  });

  it('captures the target and names the holder of its stream it could not follow', async () => {
    const writer = await startWriter({
      language: 'shell',
      source: 'sh -c "echo \\$\\$ >&2; exec sleep 60" & while :; do echo tick; sleep 0.05; done',
    });
    await waitUntil(() => /^\d+\n$/.test(writer.stderr().toString()), 'the holder’s pid');
    const holder = Number(writer.stderr().toString());
    const other = spawn('strace', ['-o', '/dev/null', '-p', String(holder)], { stdio: 'ignore' });
    await waitUntil(() => procStatus(holder)?.tracerPid === other.pid, 'the holder’s tracer');

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length > 2);
    await source.stop();
    other.kill('SIGINT');
    await new Promise((resolve) => other.once('close', resolve));
    process.kill(holder, 'SIGKILL');

    expect(sink.notices.map((n) => n.message)).toContainEqual(
      `could not follow pid ${holder}, which holds the stream too: Operation not permitted`,
    );
    const followed = source.followed().map((p) => p.pid);
    expect(followed[0]).toBe(writer.pid);
    expect(followed).toContain(holder);
    await expectUntouched(writer.pid);
  });

  it('says when strace is not installed', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const { createTraceSource } = await import('../../../main/engine/capture/trace-source');
    const source = createTraceSource({
      host: localHost,
      pid: writer.pid,
      fds: [1],
      strace: '/nonexistent/strace',
    });

    const error = await source.start({ writes: () => {}, notice: () => {} }).then(
      () => null,
      (e: FdscopeError) => e,
    );

    expect(error?.code).toBe('strace-missing');
    expect((await source.ended).error?.code).toBe('strace-missing');
    await expectUntouched(writer.pid);
  });
});

describe('trace source endings', () => {
  it('ends with the exit status when the process exits', async () => {
    const writer = await startWriter({
      language: 'python',
      source: EXIT_AFTER_3S,
    });

    const { source, sink } = await attach(writer.pid);

    expect(await source.ended).toEqual({ reason: 'process exited (status 3)' });
    expect(sink.events.length).toBeGreaterThan(0);
  });

  it('ends with the signal when the process is killed', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length > 2);

    process.kill(writer.pid, 'SIGKILL');

    expect(await source.ended).toEqual({ reason: 'process killed by SIGKILL' });
  });

  it('ends with an error when strace dies, and the process runs on', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length > 2);
    const strace = livingChildren().find((c) => c.comm === 'strace');

    process.kill(strace!.pid, 'SIGKILL');
    const end = await source.ended;

    expect(end.reason).toBe('strace was killed by SIGKILL');
    expect(end.error?.code).toBe('internal');
    await expectUntouched(writer.pid);
  });

  it('measures its cost to the target from the calls it sees', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER });
    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length > 10);
    // From here on: the calls of its start (closes of the modules it imported) are behind.
    source.slowdown();
    await new Promise((r) => setTimeout(r, 500));

    const slowdown = source.slowdown();
    await source.stop();

    // 50 lines a second, one write each, at ~130 µs a call: well under 1% of its time.
    expect(slowdown.callsPerSecond).toBeGreaterThan(20);
    expect(slowdown.callsPerSecond).toBeLessThan(80);
    expect(slowdown.factor).toBeGreaterThanOrEqual(1);
    expect(slowdown.factor).toBeLessThan(1.05);
    expect(slowdown.message).toContain('write calls/s');
  });
});
