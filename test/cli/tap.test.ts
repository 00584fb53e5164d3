import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandLine, type TapCommand } from '../../main/cli/command-line';
import { runTap } from '../../main/cli/tap';
import { FdscopeError } from '../../main/engine/errors';
import { captureInfo, fakeEngine, writeEvent, type FakeEngine } from '../helpers/fake-engine';
import { fakeRuntime, tick } from './fake-runtime';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-tap-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tap = (...argv: string[]) => parseCommandLine(['tap', ...argv]) as TapCommand;

function capturingEngine(): FakeEngine {
  const engine: FakeEngine = fakeEngine({
    'capture:start': () => captureInfo({ id: 'c1', state: 'running' }),
    'capture:get': () => captureInfo({ id: 'c1', state: 'running' }),
    'capture:stop': () => {
      engine.emitWrites('c1', [writeEvent(1, 'last\n')]);
      return captureInfo({ id: 'c1', state: 'ended', endReason: 'stopped by user' });
    },
  });
  return engine;
}

describe('runTap', () => {
  it('starts a capture of the asked fds and method on this machine', async () => {
    const engine = capturingEngine();
    const runtime = fakeRuntime(engine);

    const done = runTap(tap('4312', '--fd', '2', '--method', 'pipe', '--yes-steal-pipe'), runtime);
    await tick();
    runtime.signal('SIGINT');
    await done;

    expect(engine.calls[0]).toEqual({
      name: 'capture:start',
      req: { hostId: 'local', pid: 4312, fds: [2], method: 'pipe', confirmPipe: true },
    });
  });

  it('prints the bytes as they come, then detaches cleanly on SIGINT with exit 0', async () => {
    const engine = capturingEngine();
    const runtime = fakeRuntime(engine);

    const done = runTap(tap('4312'), runtime);
    await tick();
    engine.emitWrites('c1', [writeEvent(1, Buffer.from([0, 255])), writeEvent(2, 'err\n')]);
    runtime.signal('SIGINT');
    const status = await done;

    expect(status).toBe(0);
    expect(runtime.outBytes()).toEqual(Buffer.from([0, 255, ...Buffer.from('err\nlast\n')]));
    expect(engine.calls.map((c) => c.name)).toContain('capture:stop');
    expect(engine.closed).toBe(true);
    expect(runtime.err()).toBe(
      'fdscope: captured 11 bytes in 3 writes from pid 4312 (stopped by SIGINT)\n',
    );
  });

  it('writes to --output and stops after --duration', async () => {
    const engine = capturingEngine();
    const runtime = fakeRuntime(engine);
    const file = join(dir, 'out.bin');

    const done = runTap(tap('4312', '--output', file, '--duration', '0.1'), runtime);
    await tick();
    engine.emitWrites('c1', [writeEvent(1, 'hello\n')]);
    const status = await done;

    expect(status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('hello\nlast\n');
    expect(runtime.out()).toBe('');
    expect(runtime.err()).toContain('(stopped after 0.1 s)');
  });

  it('ends with exit 0 and a summary when the process ends', async () => {
    const engine = capturingEngine();
    const runtime = fakeRuntime(engine);

    const done = runTap(tap('4312', '--format', 'text'), runtime);
    await tick();
    engine.emitWrites('c1', [writeEvent(1, 'partial')]);
    engine.emitUpdate(
      captureInfo({ id: 'c1', state: 'ended', endReason: 'process exited (status 0)' }),
    );
    const status = await done;

    expect(status).toBe(0);
    expect(runtime.out()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z stdout partial\n$/);
    expect(runtime.err()).toBe(
      'fdscope: captured 7 bytes in 1 writes from pid 4312 (process exited (status 0))\n',
    );
    expect(engine.calls.map((c) => c.name)).not.toContain('capture:stop');
  });

  it('prints one line and exits 1 when the capture cannot start', async () => {
    const engine = fakeEngine({
      'capture:start': () => {
        throw new FdscopeError('no-such-process', 'unable to attach to pid 99999', {
          reason: 'no such process',
          help: 'see fdscope ps',
        });
      },
    });
    const runtime = fakeRuntime(engine);

    const status = await runTap(tap('99999'), runtime);

    expect(status).toBe(1);
    expect(runtime.err()).toBe(
      'fdscope: unable to attach to pid 99999: no such process; see fdscope ps\n',
    );
    expect(engine.closed).toBe(true);
  });

  it('prints one line and exits 1 for an --output it cannot write', async () => {
    const runtime = fakeRuntime(capturingEngine());

    const status = await runTap(tap('1', '--output', join(dir, 'no', 'such', 'x')), runtime);

    expect(status).toBe(1);
    expect(runtime.err()).toBe(
      `fdscope: unable to write --output ${join(dir, 'no', 'such', 'x')}: no such folder; ` +
        'give the path of a file in an existing folder\n',
    );
    expect(runtime.engineOptions).toEqual([]);
  });

  it('captures into a temporary data folder it removes, unless --keep', async () => {
    const runtime = fakeRuntime(capturingEngine());
    const kept = fakeRuntime(capturingEngine());

    await runTap(tap('1', '--duration', '0.01'), runtime);
    await runTap(tap('1', '--duration', '0.01', '--keep'), kept);

    const [{ dataDir }] = runtime.engineOptions;
    const [{ dataDir: keptDir }] = kept.engineOptions;
    expect(() => readFileSync(join(dataDir, 'x'))).toThrow(/ENOENT/);
    expect(kept.err()).toContain(`fdscope: capture kept in ${keptDir}\n`);
    rmSync(keptDir, { recursive: true, force: true });
  });

  it('exits 1 with the error line when the capture fails on its way', async () => {
    const engine = capturingEngine();
    const runtime = fakeRuntime(engine);

    const done = runTap(tap('4312'), runtime);
    await tick();
    engine.emitUpdate(
      captureInfo({
        id: 'c1',
        state: 'ended',
        endReason: 'strace ended',
        error: { code: 'internal', message: 'unable to trace pid 4312', reason: 'strace died' },
      }),
    );

    expect(await done).toBe(1);
    expect(runtime.err()).toContain('fdscope: unable to trace pid 4312: strace died\n');
  });
});
