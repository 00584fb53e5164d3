import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureInfo, fakeEngine } from '../helpers/fake-engine';
import { fakeRuntime, tick } from './fake-runtime';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runCli', () => {
  it('prints help on stdout with exit 0', async () => {
    const runtime = fakeRuntime(fakeEngine());

    expect(await runCli(['--help'], runtime, '1.2.3')).toBe(0);
    expect(runtime.out()).toContain('fdscope tap PID');
    expect(runtime.out()).toContain('--keep');
  });

  it('prints its version', async () => {
    const runtime = fakeRuntime(fakeEngine());

    expect(await runCli(['--version'], runtime, '1.2.3')).toBe(0);
    expect(runtime.out()).toBe('fdscope 1.2.3\n');
  });

  it('answers a usage error with one line on stderr and exit 2', async () => {
    const runtime = fakeRuntime(fakeEngine());

    expect(await runCli(['tap', '1', '--duration', 'x'], runtime, '1')).toBe(2);
    expect(runtime.err()).toBe("fdscope: --duration takes a number of seconds above 0, got 'x'\n");
    expect(runtime.out()).toBe('');
  });

  it('answers an engine failure in ps with one line and exit 1', async () => {
    const runtime = fakeRuntime(fakeEngine());

    expect(await runCli(['ps'], runtime, '1')).toBe(1);
    expect(runtime.err().trimEnd().split('\n')).toHaveLength(1);
  });

  it('serves until SIGTERM, printing one URL line, and stops running captures', async () => {
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    const engine = fakeEngine({
      'capture:list': () => [
        captureInfo({ id: 'a', state: 'running' }),
        captureInfo({ id: 'b', state: 'ended' }),
      ],
      'capture:stop': () => captureInfo({ id: 'a', state: 'ended' }),
    });
    const runtime = fakeRuntime(engine, {
      rendererDir,
      env: { FDSCOPE_LOG: 'off', FDSCOPE_DATA_DIR: join(dir, 'data') },
    });

    const done = runCli(['serve', '--no-open'], runtime, '1');
    while (!runtime.out().includes('\n')) await tick();
    const url = runtime.out().trim();
    const page = await fetch(url);
    runtime.signal('SIGTERM');

    expect(await done).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect(page.status).toBe(200);
    expect(runtime.engineOptions[0].dataDir).toBe(join(dir, 'data'));
    expect(engine.calls.filter((c) => c.name === 'capture:stop')).toEqual([
      { name: 'capture:stop', req: { id: 'a' } },
    ]);
    expect(engine.closed).toBe(true);
    expect(runtime.opened).toEqual([]);
  });

  it('refuses to serve when the renderer is not built', async () => {
    const runtime = fakeRuntime(fakeEngine(), { rendererDir: join(dir, 'none') });

    expect(await runCli(['serve', '--no-open'], runtime, '1')).toBe(1);
    expect(runtime.err()).toBe(
      `fdscope: unable to serve the UI: ${join(dir, 'none')}/index.html is missing; ` +
        'run npm run build\n',
    );
  });
});
