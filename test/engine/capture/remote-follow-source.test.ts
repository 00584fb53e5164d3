import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteFollowSource } from '../../../main/engine/capture/remote-follow-source';
import { createCommandHost } from '../../../main/engine/host/command-host';
import type { Host } from '../../../main/engine/host/host';
import { createLocalHost } from '../../../main/engine/host/local-host';
import { busyboxDir, type BusyboxDir } from '../../helpers/busybox';
import { collectingSink, tempDir, waitFor } from '../../helpers/proc-fixtures';

let busybox: BusyboxDir;
let temp: ReturnType<typeof tempDir>;
const children = new Set<ChildProcess>();

beforeAll(() => {
  busybox = busyboxDir();
});
afterAll(() => busybox.remove());
afterEach(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  children.clear();
  temp?.remove();
});

/** A shell writer appending "line N" to a file every 10 ms, `count` times (0: forever). */
function writer(file: string, count = 0): { pid: number; exited: Promise<unknown> } {
  const loop = `exec >>"$1"; i=0; while [ "$2" = 0 ] || [ $i -lt "$2" ]; do
    echo "line $i"; i=$((i+1)); sleep 0.01; done`;
  const child = spawn('sh', ['-c', loop, 'writer', file, String(count)], { stdio: 'ignore' });
  children.add(child);
  return { pid: child.pid!, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

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

const hosts: [string, () => Host][] = [
  ['GNU tools through dash', () => createLocalHost()],
  [
    'busybox tools alone',
    () => createCommandHost(['env', '-i', `PATH=${busybox.dir}`], { id: 'bb' }),
  ],
];

describe.each(hosts)('remote follow-file with %s', (_, makeHost) => {
  it('captures exactly the bytes appended after it started; stopping leaves nothing', async () => {
    temp = tempDir();
    const file = temp.path('out.log');
    writeFileSync(file, 'before\n');
    const { pid } = writer(file);
    await waitFor(() => readFileSync(file).length > 50, 'the first lines');
    const source = createRemoteFollowSource({ host: makeHost(), pid, fd: 1 });
    const sink = collectingSink();

    await source.start(sink);
    const startOffset = source.offset();
    await waitFor(() => sink.bytes().length > 300, 'captured lines');
    await source.stop();

    const captured = sink.bytes();
    const file2 = readFileSync(file);
    expect(startOffset).toBeGreaterThan(50);
    expect(captured.equals(file2.subarray(startOffset, startOffset + captured.length))).toBe(true);
    expect((await source.ended).reason).toBe('stopped');
    // The loop's stdin watcher ends a moment after the loop itself.
    await waitFor(() => running('fdscope-follow').length === 0, 'the remote loop to end');
  });

  it('says when the file is truncated and follows it from its new start', async () => {
    temp = tempDir();
    const file = temp.path('out.log');
    const { pid } = writer(file);
    // fd 1 is on the file once the first line is there.
    await waitFor(() => existsSync(file) && readFileSync(file).length > 0, 'the first line');
    const source = createRemoteFollowSource({ host: makeHost(), pid, fd: 1, fromStart: true });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => sink.bytes().length > 200, 'lines before the truncation');

    truncateSync(file, 0);
    await waitFor(() => sink.notices.length > 0, 'the truncation notice');
    const after = sink.bytes().length;
    await waitFor(() => sink.bytes().length > after + 100, 'lines after the truncation');
    await source.stop();

    expect(sink.notices[0].message).toMatch(/^file truncated at \d+ bytes/);
    const tail = sink.bytes().subarray(after).toString();
    expect(tail).toMatch(/^(line \d+\n)+/);
    expect(readFileSync(file).toString()).toContain(tail.split('\n')[0]);
  });

  it('ends with the process, having read every byte it wrote', async () => {
    temp = tempDir();
    const file = temp.path('out.log');
    const { pid, exited } = writer(file, 50);
    await waitFor(() => existsSync(file) && readFileSync(file).length > 0, 'the first line');
    const source = createRemoteFollowSource({ host: makeHost(), pid, fd: 1, fromStart: true });
    const sink = collectingSink();

    await source.start(sink);
    await exited;
    const end = await source.ended;

    expect(end.reason).toBe('process exited');
    expect(sink.bytes().toString()).toBe(readFileSync(file).toString());
    expect(sink.lines()).toHaveLength(50);
  });
});

describe('remote follow-file when the fd moves', () => {
  it('ends with a notice naming the new target, having read the old file to its end', async () => {
    temp = tempDir();
    const [first, second] = [temp.path('a.log'), temp.path('b.log')];
    const go = temp.path('go');
    const script = `exec >>"$1"; while [ ! -e "$3" ]; do sleep 0.01; done
      for i in 1 2 3; do echo "a $i"; done; exec >>"$2"; echo b; sleep 30`;
    const child = spawn('sh', ['-c', script, 'w', first, second, go], { stdio: 'ignore' });
    children.add(child);
    await waitFor(() => existsSync(first), 'the first file');
    const host = createCommandHost(['env', '-i', `PATH=${busybox.dir}`], { id: 'bb' });
    const source = createRemoteFollowSource({ host, pid: child.pid!, fd: 1, fromStart: true });
    const sink = collectingSink();

    await source.start(sink);
    writeFileSync(go, '');
    const end = await source.ended;

    expect(end.reason).toBe(`fd 1 now points to ${second}`);
    expect(sink.bytes().toString()).toBe('a 1\na 2\na 3\n');
    expect(sink.notices.map((n) => n.message)).toEqual([`fd 1 now points to ${second}`]);
  });
});

describe('remote follow-file refusals', () => {
  it('refuses an fd that is not a regular file, and a process that does not exist', async () => {
    const host = createLocalHost();
    const child = spawn('sleep', ['30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.add(child);
    const sink = collectingSink();

    const pipe = await createRemoteFollowSource({ host, pid: child.pid!, fd: 1 })
      .start(sink)
      .catch((e: unknown) => e);
    const none = await createRemoteFollowSource({ host, pid: 2 ** 22, fd: 1 })
      .start(sink)
      .catch((e: unknown) => e);

    expect(pipe).toMatchObject({ code: 'not-capturable' });
    expect(none).toMatchObject({ code: 'no-such-process' });
  });
});
