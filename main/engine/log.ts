// The engine logs through a logger it is given, and is silent without one.

export interface Logger {
  debug(subject: string, message: string, fields?: Record<string, unknown>): void;
  info(subject: string, message: string, fields?: Record<string, unknown>): void;
  warn(subject: string, message: string, fields?: Record<string, unknown>): void;
  error(subject: string, message: string, fields?: Record<string, unknown>): void;
}

const nothing = (): void => {};

/** The logger used when none is given. */
export const silentLogger: Logger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
};

/** A logger that writes one line per record to a sink (stderr, a file). */
export function lineLogger(write: (line: string) => void, minLevel = 'info'): Logger {
  const levels = ['debug', 'info', 'warn', 'error'];
  const min = levels.indexOf(minLevel);
  const at =
    (level: string) =>
    (subject: string, message: string, fields?: Record<string, unknown>): void => {
      if (levels.indexOf(level) < min) return;
      const extra = fields ? ' ' + JSON.stringify(fields) : '';
      write(`${new Date().toISOString()} ${level} ${subject}: ${message}${extra}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
