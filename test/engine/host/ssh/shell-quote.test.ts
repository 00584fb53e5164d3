import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killCommand, remoteCommand } from '../../../../main/engine/host/ssh/remote-command';
import { quoteArg, quoteArgv } from '../../../../main/engine/host/ssh/shell-quote';
import { HOSTILE } from './ssh-fixtures';

describe('quoting for POSIX sh', () => {
  it('passes every hostile string through dash and bash unchanged', () => {
    const script = `printf '%s\\0' ${quoteArgv(HOSTILE)}`;

    for (const shell of ['/bin/sh', '/bin/bash']) {
      const out = execFileSync(shell, ['-c', script], { encoding: 'latin1' });

      expect(out.split('\0').slice(0, -1)).toEqual(
        HOSTILE.map((s) => Buffer.from(s, 'utf8').toString('latin1')),
      );
    }
  });

  it('leaves plain words bare and quotes the rest', () => {
    expect(quoteArg('/usr/bin/strace')).toBe('/usr/bin/strace');
    expect(quoteArg('-e')).toBe('-e');
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('')).toBe("''");
  });

  it('refuses a NUL byte and an empty command', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
    expect(() => quoteArgv([])).toThrow(/empty command/);
  });
});

describe('the remote command line', () => {
  it('reports the pid, then runs the command in place of the shell', () => {
    const line = remoteCommand(['printf', '%s', "it's"]);

    const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8', stdio: 'pipe' });

    expect(line).toBe(
      `printf 'fdscope-pid %s\\n' "$$" >&2 && exec printf %s 'it'\\''s' </dev/null`,
    );
    expect(out).toBe("it's");
  });

  it('sets environment variables through env, and refuses a bad name', () => {
    const line = remoteCommand(['sh', '-c', 'printf %s "$A"'], { env: { A: '$(x) y' } });

    expect(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8', stdio: 'pipe' })).toBe(
      '$(x) y',
    );
    expect(() => remoteCommand(['true'], { env: { 'A;B': '1' } })).toThrow(/not a valid/);
  });

  it('puts sudo in front as asked', () => {
    expect(remoteCommand(['id'], { sudo: 'nopasswd' })).toContain('exec sudo -n -- id </dev/null');
    // sudo reads the password from stdin: it cannot be /dev/null.
    expect(remoteCommand(['id'], { sudo: 'password' })).toMatch(/exec sudo -S -p '' -- id$/);
    expect(remoteCommand(['cat'], { stdin: true })).toMatch(/exec cat$/);
  });

  it('kills a process group by a checked pid and signal name only', () => {
    expect(killCommand(42, 'SIGKILL')).toBe('kill -s KILL -- -42 2>/dev/null || kill -s KILL 42');
    expect(() => killCommand(1, 'SIGTERM')).toThrow();
    expect(() => killCommand(42, 'SIGTERM; rm' as NodeJS.Signals)).toThrow();
  });
});
