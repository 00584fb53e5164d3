// Where captures are stored, one rule for the CLI and the Electron app.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface DataDirInputs {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The Electron app's own folder, used when FDSCOPE_DATA_DIR is not set. */
  appDir?: string;
}

/**
 * The data folder: $FDSCOPE_DATA_DIR, else the app's folder when given, else
 * $XDG_DATA_HOME/fdscope, else ~/.local/share/fdscope.
 */
export function resolveDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  if (env.FDSCOPE_DATA_DIR) return resolve(env.FDSCOPE_DATA_DIR);
  if (inputs.appDir) return inputs.appDir;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'fdscope');
  return join(inputs.home ?? homedir(), '.local', 'share', 'fdscope');
}

/** Creates the folder if needed, readable by its owner only: captures hold a process's output. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
