// The resume logic on its own, with a link and sources the test drives; the same logic against a
// real sshd whose session is killed is in the SSH capture tests.
import { describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../../preload/contract';
import type {
  CaptureSink,
  CaptureSource,
  SourceEnd,
  WriteEvent,
} from '../../../main/engine/capture/source';
import type { HostLink } from '../../../main/engine/host/host-link';
import { createResumableSource } from '../../../main/engine/session/resumable-source';

class TestLink implements HostLink {
  lost = false;
  reconnects = 0;
  failReconnect = false;
  private listeners = new Set<(reason: string) => void>();
  onLost(listener: (reason: string) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  drop(): void {
    this.lost = true;
    this.listeners.forEach((l) => l('keepalive timed out'));
  }
  async reconnect(signal?: AbortSignal): Promise<void> {
    this.reconnects++;
    await new Promise((r) => setTimeout(r, 10));
    if (signal?.aborted) throw new Error('aborted');
    if (this.failReconnect) throw new Error('connect ECONNREFUSED 127.0.0.1:2222');
    this.lost = false;
  }
}

class TestSource implements CaptureSource {
  readonly method = 'trace' as const;
  readonly timing = 'syscall' as const;
  readonly ended: Promise<SourceEnd>;
  end: (e: SourceEnd) => void = () => {};
  sink: CaptureSink | null = null;
  constructor(readonly previous: CaptureSource | null) {
    this.ended = new Promise((r) => (this.end = r));
  }
  async start(sink: CaptureSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.end({ reason: 'stopped' });
  }
  write(text: string): void {
    const bytes = Buffer.from(text);
    this.sink!.writes([{ t: Date.now() * 1000, pid: 1, fd: 1, bytes, full: bytes.length }]);
  }
}

function recordingSink() {
  const writes: WriteEvent[] = [];
  const notices: CaptureNotice[] = [];
  return {
    writes,
    notices,
    sink: {
      writes: (w: WriteEvent[]) => writes.push(...w),
      notice: (n: CaptureNotice) => notices.push(n),
    },
  };
}

describe('createResumableSource', () => {
  it('marks the gap, reconnects and goes on from the source that dropped', async () => {
    const link = new TestLink();
    const made: TestSource[] = [];
    const source = createResumableSource({
      link,
      create: (previous) => {
        made.push(new TestSource(previous));
        return made[made.length - 1];
      },
    });
    const { writes, notices, sink } = recordingSink();

    await source.start(sink);
    made[0].write('before\n');
    link.drop();
    made[0].end({ reason: 'strace exited with code 255' });
    await expect.poll(() => made.length).toBe(2);
    await expect.poll(() => made[1].sink).not.toBeNull();
    made[1].write('after\n');
    await source.stop();

    expect(made[1].previous).toBe(made[0]);
    expect(writes.map((w) => w.bytes.toString())).toEqual(['before\n', 'after\n']);
    expect(notices.map((n) => n.message)).toEqual([
      'connection lost: keepalive timed out',
      expect.stringMatching(/^reconnected: nothing was captured for \d+\.\d s/),
    ]);
    expect(await source.ended).toEqual({ reason: 'stopped' });
  });

  it('ends with the source when the link is fine (the process exited)', async () => {
    const link = new TestLink();
    let only: TestSource | null = null;
    const source = createResumableSource({ link, create: (p) => (only = new TestSource(p)) });

    await source.start(recordingSink().sink);
    only!.end({ reason: 'process exited (status 0)' });

    expect(await source.ended).toEqual({ reason: 'process exited (status 0)' });
    expect(link.reconnects).toBe(0);
  });

  it('ends with a clear error when the host cannot be reached again', async () => {
    const link = new TestLink();
    link.failReconnect = true;
    let first: TestSource | null = null;
    const source = createResumableSource({ link, create: (p) => (first ??= new TestSource(p)) });

    await source.start(recordingSink().sink);
    link.drop();
    first!.end({ reason: 'strace exited with code 255' });
    const end = await source.ended;

    expect(end.reason).toBe('connection lost');
    expect(end.error?.toInfo()).toMatchObject({
      code: 'io',
      message: 'unable to resume the capture',
      reason: 'connect ECONNREFUSED 127.0.0.1:2222',
    });
  });
});
