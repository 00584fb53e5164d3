// A process in its own pid namespace (pid 1 there, as in a container) seen and captured from
// outside by its host pid.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFollowFileSource } from '../../../main/engine/capture/follow-file-source';
import { getLocalProcess } from '../../../main/engine/discovery/local-discovery';
import { collectingSink, lineNumbers, tempDir, waitFor } from '../../helpers/proc-fixtures';
import { livingChildren, pythonPath, startWriter, stopAllWriters } from '../../helpers/writers';

const temp = tempDir();
afterEach(stopAllWriters);
afterAll(() => temp.remove());

// Puts its own log file on fd 1, then writes numbered lines naming the pid it sees.
const INNER = `
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
os.dup2(fd, 1)
n = 0
while True:
    n += 1
    os.write(1, b"tick %d from pid %d\\n" % (n, os.getpid()))
    time.sleep(0.01)
`;

describe('a process in its own pid namespace', () => {
  it('is listed by its host pid with its namespace pid and cgroup, and captured', async () => {
    const log = temp.path('ns.log');
    // --kill-child: when unshare ends, the namespace's init (and so the namespace) ends too.
    const unshare = await startWriter({
      language: 'shell',
      source: 'exec unshare --pid --mount-proc --kill-child "$1" -c "$2" "$3"',
      args: [pythonPath(), INNER, log],
    });
    const hostPid = await waitFor(
      () => livingChildren(unshare.pid).find((c) => c.comm.startsWith('python'))?.pid,
      'the namespace init',
    );
    await waitFor(() => getLocalProcess(hostPid).fds[1]?.link === log, 'its log on fd 1');

    const proc = getLocalProcess(hostPid);
    const cgroupV2 = /^0::(.*)$/m.exec(readFileSync(`/proc/${hostPid}/cgroup`, 'utf8'))![1];
    const source = createFollowFileSource({ pid: hostPid, fd: 1 });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => sink.lines().length >= 20, '20 captured lines');
    await source.stop();
    // unshare ignores SIGTERM while it waits: end the namespace through its init.
    process.kill(hostPid, 'SIGKILL');

    expect(proc.container).toMatchObject({ nsPid: 1, cgroup: cgroupV2 });
    expect(proc.fds[1]).toMatchObject({ kind: 'file', link: log, append: true });
    expect(sink.lines().every((l) => l.endsWith(' from pid 1'))).toBe(true);
    const numbers = lineNumbers(sink.lines());
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    expect(readFileSync(log).includes(sink.bytes())).toBe(true);
    expect(sink.events.every((e) => e.pid === hostPid && e.fd === 1)).toBe(true);
  });

  it('leaves processes of the host namespace without container hints', async () => {
    const writer = await startWriter({ language: 'shell', source: 'exec sleep 30' });

    expect(getLocalProcess(writer.pid).container).toBeUndefined();
  });
});
