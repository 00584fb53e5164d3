import { describe, expect, it } from 'vitest';
import { UsageError } from '../../main/cli/args';
import { parseCommandLine } from '../../main/cli/command-line';
import { parseHostOption } from '../../main/cli/host-option';

function usage(text: string): string {
  try {
    parseHostOption(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected '${text}' to be refused`);
}

describe('parseHostOption', () => {
  it('reads local, and exec: with its wrapper split like a shell', () => {
    expect(parseHostOption('local')).toEqual({ kind: 'local' });
    expect(parseHostOption("exec:docker exec -i 'my box'")).toEqual({
      kind: 'command',
      spec: "docker exec -i 'my box'",
      wrapper: ['docker', 'exec', '-i', 'my box'],
    });
  });

  it('reads an ssh config alias, user@host, host:port and [v6]:port as SSH hosts', () => {
    for (const text of ['web1', 'deploy@web1.example', 'web1:2222', 'me@[::1]:2200']) {
      expect(parseHostOption(text)).toEqual({ kind: 'ssh', spec: text });
    }
  });

  it('refuses an empty wrapper, one that needs a shell, and bad SSH destinations', () => {
    expect(usage('exec:')).toMatch(
      /^--host 'exec:': unable to use that wrapper command: it is empty/,
    );
    expect(usage('exec:kubectl exec x | cat')).toMatch(/would need a shell/);
    expect(usage('')).toMatch(/--host takes local, exec:COMMAND/);
    expect(usage('-oProxyCommand=x')).toMatch(/--host takes local/);
    expect(usage('me@web:99999')).toMatch(/expected \[user@\]host\[:port\]/);
    expect(usage('two words')).toMatch(/expected \[user@\]host\[:port\]/);
  });

  it('is given to ps and tap by --host', () => {
    expect(parseCommandLine(['ps', '--host', 'exec:nsenter -t 9 -p -m --'])).toMatchObject({
      host: { kind: 'command', wrapper: ['nsenter', '-t', '9', '-p', '-m', '--'] },
    });
    expect(parseCommandLine(['tap', '1', '--host=me@db'])).toMatchObject({
      pid: 1,
      host: { kind: 'ssh', spec: 'me@db' },
    });
  });
});
