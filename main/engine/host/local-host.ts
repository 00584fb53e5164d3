// This machine as a Host: commands run through child_process, without a shell.
import { accessSync, constants } from 'node:fs';
import { spawn } from 'node:child_process';
import type { Host, HostProcess, RunOptions, ExitStatus } from './host';
import { silentLogger, type Logger } from '../log';

export const LOCAL_HOST_ID = 'local';

/** Creates the host for this machine; every command run is logged with how it ended. */
export function createLocalHost(logger: Logger = silentLogger): Host {
  return {
    info: { id: LOCAL_HOST_ID, label: 'This machine', kind: 'local' },
    spawn: (argv, options) => spawnLocal(argv, options ?? {}, logger),
  };
}

function spawnLocal(argv: readonly string[], options: RunOptions, logger: Logger): HostProcess {
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: options.env ? { ...process.env, ...options.env } : process.env,
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    let spawnError: Error | null = null;
    child.once('error', (error) => {
      spawnError = error;
      // 'close' does not follow when the program could not be started.
      if (child.pid === undefined) finish(127, null);
    });
    child.once('close', (code, signal) => finish(code, signal));
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      const ms = Math.round(performance.now() - started);
      const how = spawnError ? `failed: ${spawnError.message}` : `code ${code} signal ${signal}`;
      logger.debug('host:local', `ran ${argv.join(' ')}`, { ms, how });
      resolve({ code, signal });
    }
  });
  return {
    argv,
    stdout: child.stdout!,
    stderr: child.stderr!,
    stdin: child.stdin ?? null,
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Finds a program on PATH (and the sbin folders, where root's tools live). */
export function findProgram(name: string, pathEnv = process.env.PATH ?? ''): string | null {
  const dirs = [...pathEnv.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = `${dir}/${name}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}
