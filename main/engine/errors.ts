// One error class for the engine: a stable code, what failed, why, and what to do.
import type { ErrorCode, ErrorInfo } from '../../preload/contract';

export interface FdscopeErrorParts {
  reason?: string;
  help?: string;
  details?: string;
  fatal?: boolean;
  cause?: unknown;
}

/** An error a user can act on; it crosses IPC as ErrorInfo. */
export class FdscopeError extends Error {
  override name = 'FdscopeError';
  readonly code: ErrorCode;
  readonly reason?: string;
  readonly help?: string;
  readonly details?: string;
  readonly fatal: boolean;

  constructor(code: ErrorCode, message: string, parts: FdscopeErrorParts = {}) {
    super(message, parts.cause === undefined ? undefined : { cause: parts.cause });
    this.code = code;
    this.reason = parts.reason;
    this.help = parts.help;
    this.details = parts.details;
    this.fatal = parts.fatal ?? false;
  }

  /** "unable to X: reason; help", the one line the CLI prints. */
  oneLine(): string {
    let line = this.message;
    if (this.reason) line += `: ${this.reason}`;
    if (this.help) line += `; ${this.help}`;
    return line;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.reason) info.reason = this.reason;
    if (this.help) info.help = this.help;
    if (this.details) info.details = this.details;
    if (this.fatal) info.fatal = true;
    return info;
  }
}

/** Any thrown value as ErrorInfo; unknown errors become 'internal'. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof FdscopeError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'ValidationError') {
    return { code: 'bad-request', message: 'invalid request', reason: message };
  }
  return { code: 'internal', message: 'internal error', reason: message };
}
