// fdscope serve: the engine and the browser mode until SIGINT or SIGTERM.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineApi } from '../../preload/contract';
import { ensureDataDir, resolveDataDir } from '../engine/data-dir';
import { FdscopeError } from '../engine/errors';
import { startServer } from '../server';
import { cliLogger, type CliRuntime } from './runtime';

/** Runs fdscope serve; resolves with the exit status once a signal has stopped it. */
export async function runServe(
  options: { port: number; open: boolean },
  runtime: CliRuntime,
): Promise<number> {
  if (!existsSync(join(runtime.rendererDir, 'index.html'))) {
    throw new FdscopeError('io', 'unable to serve the UI', {
      reason: `${runtime.rendererDir}/index.html is missing`,
      help: 'run npm run build',
    });
  }
  const logger = cliLogger(runtime);
  const dataDir = ensureDataDir(resolveDataDir({ env: runtime.env }));
  const engine = runtime.createEngine({ dataDir, logger });
  let stopped: (signal: string) => void = () => {};
  const signalled = new Promise<string>((resolve) => (stopped = resolve));
  const offSignal = runtime.onSignal((signal) => stopped(signal));

  try {
    const server = await listen(engine, runtime.rendererDir, options.port, logger);
    runtime.stdout.write(server.url + '\n');
    if (options.open && !(await runtime.openBrowser(server.url))) {
      runtime.stderr.write('fdscope: could not start a browser; open the URL above\n');
    }
    const signal = await signalled;
    logger.info('serve', 'stopping', { signal });
    await server.close();
    await stopCaptures(engine);
    return 0;
  } finally {
    offSignal();
    await engine.close();
  }
}

async function listen(
  engine: EngineApi,
  rendererDir: string,
  port: number,
  logger: ReturnType<typeof cliLogger>,
) {
  try {
    return await startServer({ engine, rendererDir, port, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FdscopeError('io', `unable to listen on 127.0.0.1:${port}`, {
      reason: code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message,
      help: 'choose another with --port, or --port 0 for any free one',
      cause: error,
    });
  }
}

/** Detaches from every running capture, so no tracee is left behind. */
async function stopCaptures(engine: EngineApi): Promise<void> {
  const captures = await engine.handle('capture:list', {});
  const running = captures.filter((c) => c.state === 'starting' || c.state === 'running');
  await Promise.allSettled(running.map((c) => engine.handle('capture:stop', { id: c.id })));
}
