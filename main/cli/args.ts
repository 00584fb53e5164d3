// A small argument parser: long options with or without "=", flags, and
// positionals, with errors that say what was expected.

/** A mistake on the command line; the CLI prints it and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';

  /** The one line the CLI prints. */
  oneLine(): string {
    return this.message;
  }
}

/** Each option a command knows: a flag, or one that takes a value. */
export type OptionKinds = Record<string, 'flag' | 'value'>;

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

/** Splits argv by the options a command knows; "--" ends the options. */
export function parseArgs(argv: readonly string[], kinds: OptionKinds): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const kind = kinds[name];
    if (kind === undefined) throw new UsageError(`unknown option ${name}; see fdscope --help`);
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`${name} takes no value, got '${arg.slice(eq + 1)}'`);
      parsed.flags.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value; see fdscope --help`);
    if (parsed.values.has(name)) throw new UsageError(`${name} is given twice`);
    parsed.values.set(name, value);
  }
  return parsed;
}

/** A positive number of seconds, or a UsageError naming the option. */
export function seconds(option: string, text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(value > 0)) {
    throw new UsageError(`${option} takes a number of seconds above 0, got '${text}'`);
  }
  return value;
}

/** A whole number in a range, or a UsageError saying what was wanted. */
export function wholeNumber(
  what: string,
  text: string,
  min: number,
  max: number,
  expected: string,
): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(`${what} takes ${expected}, got '${text}'`);
  return value;
}

/** One of a fixed set of words, or a UsageError listing them. */
export function oneOf<T extends string>(option: string, text: string, options: readonly T[]): T {
  if ((options as readonly string[]).includes(text)) return text as T;
  const list = options.slice(0, -1).join(', ') + ' or ' + options[options.length - 1];
  throw new UsageError(`${option} takes ${list}, got '${text}'`);
}
