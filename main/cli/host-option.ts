// The --host option of ps and tap: this machine, a command host (exec:WRAPPER), or an SSH host
// (an ~/.ssh/config alias, or user@host[:port]), checked before anything connects.
import type { Engine } from '../engine/engine';
import { FdscopeError } from '../engine/errors';
import { parseWrapper } from '../engine/host/command-wrapper';
import { LOCAL_HOST_ID } from '../engine/host/local-host';
import { parseDestination } from '../engine/host/ssh';
import { UsageError } from './args';

/** Where ps and tap look. */
export type HostOption =
  | { kind: 'local' }
  | { kind: 'command'; spec: string; wrapper: string[] }
  | { kind: 'ssh'; spec: string };

const EXEC = 'exec:';

/** Parses --host's value; throws UsageError saying what was wrong. */
export function parseHostOption(text: string): HostOption {
  if (text === 'local') return { kind: 'local' };
  if (text.startsWith(EXEC)) {
    const spec = text.slice(EXEC.length);
    try {
      return { kind: 'command', spec, wrapper: parseWrapper(spec) };
    } catch (error) {
      throw usage(text, error);
    }
  }
  if (text.trim() === '' || text.startsWith('-')) {
    throw new UsageError(
      `--host takes local, exec:COMMAND, an ~/.ssh/config alias or user@host[:port], ` +
        `got '${text}'`,
    );
  }
  try {
    parseDestination(text);
  } catch (error) {
    throw usage(text, error);
  }
  return { kind: 'ssh', spec: text };
}

function usage(text: string, error: unknown): UsageError {
  const why = error instanceof FdscopeError ? error.oneLine() : String(error);
  return new UsageError(`--host '${text}': ${why}`);
}

/** The engine's id for the host: this machine's, or that of the host added for the option. */
export async function hostIdFor(engine: Engine, option: HostOption): Promise<string> {
  if (option.kind === 'local') return LOCAL_HOST_ID;
  const info = await engine.handle('hosts:add', {
    kind: option.kind,
    label: option.spec,
    spec: option.spec,
  });
  return info.id;
}
