// Every failure of the CLI becomes one line on stderr and an exit status.
import type { ErrorInfo } from '../../preload/contract';
import { FdscopeError } from '../engine/errors';
import { UsageError } from './args';

/** Exit status for a usage error. */
export const EXIT_USAGE = 2;
/** Exit status when fdscope could not do what was asked. */
export const EXIT_FAILURE = 1;

/** "what failed: why; what to do" for an ErrorInfo that crossed from the engine. */
export function infoLine(info: ErrorInfo): string {
  let line = info.message;
  if (info.reason) line += `: ${info.reason}`;
  if (info.help) line += `; ${info.help}`;
  return line;
}

/** The one line and the exit status for anything thrown. */
export function failure(error: unknown): { line: string; status: number } {
  if (error instanceof UsageError) return { line: error.oneLine(), status: EXIT_USAGE };
  if (error instanceof FdscopeError) return { line: error.oneLine(), status: EXIT_FAILURE };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `internal error: ${message.split('\n')[0]}`, status: EXIT_FAILURE };
}
