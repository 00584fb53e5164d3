// fdscope's commands and their options, parsed into one typed value.
import type { MethodName } from '../../preload/contract';
import { oneOf, parseArgs, seconds, UsageError, wholeNumber, type OptionKinds } from './args';
import { parseHostOption, type HostOption } from './host-option';

export type TapFormat = 'raw' | 'text';

export interface TapCommand {
  command: 'tap';
  host: HostOption;
  pid: number;
  fds: number[];
  method: MethodName | 'auto';
  fromStart: boolean;
  confirmPipe: boolean;
  /** null: standard output. */
  output: string | null;
  format: TapFormat;
  /** Seconds, or null to run until the process ends or a signal comes. */
  duration: number | null;
  keep: boolean;
}

export type Command =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'ps'; json: boolean; host: HostOption }
  | TapCommand
  | { command: 'serve'; port: number; open: boolean };

const HELP = { '--help': 'flag', '-h': 'flag' } as const;

const KINDS: Record<'ps' | 'tap' | 'serve', OptionKinds> = {
  ps: { ...HELP, '--json': 'flag', '--host': 'value' },
  tap: {
    ...HELP,
    '--host': 'value',
    '--fd': 'value',
    '--method': 'value',
    '--from-start': 'flag',
    '--yes-steal-pipe': 'flag',
    '--output': 'value',
    '-o': 'value',
    '--format': 'value',
    '--duration': 'value',
    '--keep': 'flag',
  },
  serve: { ...HELP, '--port': 'value', '--no-open': 'flag' },
};

/** Parses fdscope's argv (without node and the script); throws UsageError. */
export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    return { command: 'help' };
  }
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (first !== 'ps' && first !== 'tap' && first !== 'serve') {
    const what = first.startsWith('-') ? `option ${first}` : `command '${first}'`;
    throw new UsageError(`unknown ${what}; see fdscope --help`);
  }

  const args = parseArgs(rest, KINDS[first]);
  if (args.flags.has('--help') || args.flags.has('-h')) return { command: 'help' };
  if (first === 'ps') {
    noPositionals('ps', args.positionals);
    return { command: 'ps', json: args.flags.has('--json'), host: hostOf(args) };
  }
  if (first === 'serve') {
    noPositionals('serve', args.positionals);
    const port = args.values.get('--port');
    return {
      command: 'serve',
      port:
        port === undefined ? 0 : wholeNumber('--port', port, 0, 65535, 'a port from 0 to 65535'),
      open: !args.flags.has('--no-open'),
    };
  }
  return tapCommand(args);
}

function tapCommand(args: ReturnType<typeof parseArgs>): TapCommand {
  const [pidText, ...extra] = args.positionals;
  if (pidText === undefined) throw new UsageError('tap needs a pid; see fdscope --help');
  if (extra.length > 0) throw new UsageError(`tap takes one pid, got also '${extra[0]}'`);
  const pid = wholeNumber('tap', pidText, 1, 2 ** 22, 'a pid');
  if (args.values.has('--output') && args.values.has('-o')) {
    throw new UsageError('--output is given twice');
  }
  const output = args.values.get('--output') ?? args.values.get('-o') ?? null;
  if (output === '') throw new UsageError("--output takes a file path, got ''");
  const duration = args.values.get('--duration');

  return {
    command: 'tap',
    host: hostOf(args),
    pid,
    fds: fdList(args.values.get('--fd') ?? '1,2'),
    method: oneOf('--method', args.values.get('--method') ?? 'auto', [
      'auto',
      'file',
      'trace',
      'pipe',
    ] as const),
    fromStart: args.flags.has('--from-start'),
    confirmPipe: args.flags.has('--yes-steal-pipe'),
    output,
    format: oneOf('--format', args.values.get('--format') ?? 'raw', ['raw', 'text'] as const),
    duration: duration === undefined ? null : seconds('--duration', duration),
    keep: args.flags.has('--keep'),
  };
}

function hostOf(args: ReturnType<typeof parseArgs>): HostOption {
  const text = args.values.get('--host');
  return text === undefined ? { kind: 'local' } : parseHostOption(text);
}

function fdList(text: string): number[] {
  const parts = text.split(',');
  const valid = parts.every((p) => p === '1' || p === '2') && new Set(parts).size === parts.length;
  if (!valid) throw new UsageError(`--fd takes 1, 2 or 1,2, got '${text}'`);
  return parts.map(Number).sort();
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(
      `${command} takes no arguments, got '${positionals[0]}'; see fdscope --help`,
    );
  }
}
