import { describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../../preload/contract';
import type { CaptureSink, SourceEnd, WriteEvent } from '../../../main/engine/capture/source';
import { onLocalClock } from '../../../main/engine/session/remote-capture';

function tracedSource(timing: 'syscall' | 'observed') {
  let sink: CaptureSink | null = null;
  return {
    method: 'trace' as const,
    timing,
    ended: new Promise<SourceEnd>(() => {}),
    async start(s: CaptureSink) {
      sink = s;
    },
    async stop() {},
    slowdown: () => undefined,
    followed: () => [],
    emit: (t: number) => sink!.writes([{ t, pid: 7, fd: 1, bytes: Buffer.from('x'), full: 1 }]),
  };
}

describe('onLocalClock', () => {
  it("moves strace's times from the host's clock onto this machine's, saying so once", async () => {
    const source = tracedSource('syscall');
    const host = { clockOffsetMs: 2500, info: { id: 'ssh-1', label: 'db', kind: 'ssh' as const } };
    const writes: WriteEvent[] = [];
    const notices: CaptureNotice[] = [];

    await onLocalClock(source, host).start({
      writes: (w) => writes.push(...w),
      notice: (n) => notices.push(n),
    });
    source.emit(10_000_000);
    source.emit(11_000_000);

    expect(writes.map((w) => w.t)).toEqual([7_500_000, 8_500_000]);
    expect(notices.map((n) => n.message)).toEqual([
      "db's clock is 2500 ms ahead of this machine’s: times are shown on this machine’s clock",
    ]);
  });

  it('leaves times taken on arrival as they are', async () => {
    const source = tracedSource('observed');
    const host = { clockOffsetMs: -900, info: { id: 'ssh-1', label: 'db', kind: 'ssh' as const } };
    const writes: WriteEvent[] = [];

    await onLocalClock(source, host).start({ writes: (w) => writes.push(...w), notice: () => {} });
    source.emit(10_000_000);

    expect(writes.map((w) => w.t)).toEqual([10_000_000]);
  });
});
