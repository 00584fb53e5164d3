import { describe, expect, it } from 'vitest';
import { formatArgv, parseWrapper } from '../../../main/engine/host/command-wrapper';
import { FdscopeError } from '../../../main/engine/errors';

function refusal(text: string): string {
  try {
    parseWrapper(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FdscopeError);
    return (error as FdscopeError).oneLine();
  }
  throw new Error(`expected "${text}" to be refused`);
}

describe('parseWrapper', () => {
  it('splits words on blanks as a shell does', () => {
    expect(parseWrapper('  kubectl exec -i  web-0 -c app --\t')).toEqual([
      'kubectl',
      'exec',
      '-i',
      'web-0',
      '-c',
      'app',
      '--',
    ]);
  });

  it('keeps quoted blanks and joins quoted parts of one word', () => {
    expect(parseWrapper(`docker exec -i "my box" a'b c'"d"`)).toEqual([
      'docker',
      'exec',
      '-i',
      'my box',
      'ab cd',
    ]);
    expect(parseWrapper(`sh -c 'exec "$@"' x`)).toEqual(['sh', '-c', 'exec "$@"', 'x']);
    expect(parseWrapper(String.raw`a\ b "q\"x\\" ''`)).toEqual(['a b', 'q"x\\', '']);
  });

  it('refuses an empty wrapper, saying what to give', () => {
    expect(refusal('   ')).toMatch(/unable to use that wrapper command: it is empty; give/);
  });

  it('refuses what would need a shell, and unclosed quotes', () => {
    expect(refusal('docker exec -i x; rm -rf /')).toMatch(/";" at character 17 would need a shell/);
    expect(refusal('ssh host | tee')).toMatch(/"\|"/);
    expect(refusal('echo $HOME')).toMatch(/"\$"/);
    expect(refusal('echo "$HOME"')).toMatch(/inside double quotes/);
    expect(refusal("docker exec 'x")).toMatch(/never closed/);
    expect(refusal('a\nb')).toMatch(/line break/);
  });
});

describe('formatArgv', () => {
  it('quotes only what needs it, so that parseWrapper reads it back', () => {
    const argv = ['nsenter', '-t', '42', 'my box', "it's", ''];

    const text = formatArgv(argv);

    expect(text).toBe(`nsenter -t 42 'my box' 'it'\\''s' ''`);
    expect(parseWrapper(text)).toEqual(argv);
  });
});
