import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../main/cli/args';
import { parseCommandLine } from '../../main/cli/command-line';

const usage = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseArgs', () => {
  it('reads values given with a space or with "="', () => {
    const parsed = parseArgs(['--a', '1', '--b=2', 'x'], { '--a': 'value', '--b': 'value' });

    expect(parsed.values).toEqual(
      new Map([
        ['--a', '1'],
        ['--b', '2'],
      ]),
    );
    expect(parsed.positionals).toEqual(['x']);
  });

  it('treats everything after "--" as positionals', () => {
    expect(parseArgs(['--', '--x'], {}).positionals).toEqual(['--x']);
  });
});

describe('parseCommandLine', () => {
  it('gives help for no arguments, --help, -h and help after a command', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['tap', '--help'], ['ps', '-h']]) {
      expect(parseCommandLine(argv)).toEqual({ command: 'help' });
    }
  });

  it('reads --version', () => {
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
  });

  it('reads ps with and without --json', () => {
    const local = { kind: 'local' };
    expect(parseCommandLine(['ps'])).toEqual({ command: 'ps', json: false, host: local });
    expect(parseCommandLine(['ps', '--json'])).toEqual({ command: 'ps', json: true, host: local });
  });

  it('reads tap with its defaults', () => {
    expect(parseCommandLine(['tap', '4312'])).toEqual({
      command: 'tap',
      host: { kind: 'local' },
      pid: 4312,
      fds: [1, 2],
      method: 'auto',
      fromStart: false,
      confirmPipe: false,
      output: null,
      format: 'raw',
      duration: null,
      keep: false,
    });
  });

  it('reads every option of tap', () => {
    const argv = ['tap', '--fd', '2', '--method=pipe', '--yes-steal-pipe', '--from-start', '12'];
    argv.push('-o', 'out.log', '--format', 'text', '--duration', '2.5', '--keep');

    expect(parseCommandLine(argv)).toEqual({
      command: 'tap',
      host: { kind: 'local' },
      pid: 12,
      fds: [2],
      method: 'pipe',
      fromStart: true,
      confirmPipe: true,
      output: 'out.log',
      format: 'text',
      duration: 2.5,
      keep: true,
    });
  });

  it('sorts --fd 2,1 into [1, 2]', () => {
    expect(parseCommandLine(['tap', '1', '--fd', '2,1'])).toMatchObject({ fds: [1, 2] });
  });

  it('reads serve with a port and --no-open', () => {
    expect(parseCommandLine(['serve'])).toEqual({ command: 'serve', port: 0, open: true });
    expect(parseCommandLine(['serve', '--port', '8080', '--no-open'])).toEqual({
      command: 'serve',
      port: 8080,
      open: false,
    });
  });

  it('names an unknown option and points to --help', () => {
    expect(usage(['ps', '--foo'])).toBe('unknown option --foo; see fdscope --help');
    expect(usage(['--foo'])).toBe('unknown option --foo; see fdscope --help');
    expect(usage(['tap', '1', '--foo=2'])).toBe('unknown option --foo; see fdscope --help');
  });

  it('names an unknown command', () => {
    expect(usage(['top'])).toBe("unknown command 'top'; see fdscope --help");
  });

  it('says what --duration takes', () => {
    expect(usage(['tap', '1', '--duration', 'x'])).toBe(
      "--duration takes a number of seconds above 0, got 'x'",
    );
    expect(usage(['tap', '1', '--duration', '0'])).toBe(
      "--duration takes a number of seconds above 0, got '0'",
    );
    expect(usage(['tap', '1', '--duration'])).toBe('--duration needs a value; see fdscope --help');
  });

  it('says what the pid, --fd, --method, --format and --port take', () => {
    expect(usage(['tap'])).toBe('tap needs a pid; see fdscope --help');
    expect(usage(['tap', 'abc'])).toBe("tap takes a pid, got 'abc'");
    expect(usage(['tap', '0'])).toBe("tap takes a pid, got '0'");
    expect(usage(['tap', '1', '2'])).toBe("tap takes one pid, got also '2'");
    expect(usage(['tap', '1', '--fd', '3'])).toBe("--fd takes 1, 2 or 1,2, got '3'");
    expect(usage(['tap', '1', '--fd', '1,1'])).toBe("--fd takes 1, 2 or 1,2, got '1,1'");
    expect(usage(['tap', '1', '--method', 'x'])).toBe(
      "--method takes auto, file, trace or pipe, got 'x'",
    );
    expect(usage(['tap', '1', '--format', 'json'])).toBe("--format takes raw or text, got 'json'");
    expect(usage(['serve', '--port', '70000'])).toBe(
      "--port takes a port from 0 to 65535, got '70000'",
    );
  });

  it('refuses a value given to a flag and an option given twice', () => {
    expect(usage(['ps', '--json=yes'])).toBe("--json takes no value, got 'yes'");
    expect(usage(['tap', '1', '--fd', '1', '--fd', '2'])).toBe('--fd is given twice');
  });

  it('refuses arguments to ps and serve', () => {
    expect(usage(['ps', 'x'])).toBe("ps takes no arguments, got 'x'; see fdscope --help");
  });
});
