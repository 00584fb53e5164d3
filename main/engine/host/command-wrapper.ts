// The wrapper of a command host, typed by a user as one string ("kubectl exec -i POD --"),
// split into argv the way a shell splits simple words, without ever running a shell.
import { FdscopeError } from '../errors';

// Outside quotes these mean something to a shell that no argv can: refuse them rather than
// pass them on literally and surprise the user.
const SHELL_OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`', '$', '*', '?', '~']);
const MAX_LENGTH = 4096;

/** Splits a wrapper command into argv (quotes and backslashes as sh does); throws bad-request. */
export function parseWrapper(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const refuse = (reason: string, help: string): never => {
    throw new FdscopeError('bad-request', 'unable to use that wrapper command', { reason, help });
  };
  if (text.length > MAX_LENGTH) refuse(`it is longer than ${MAX_LENGTH} characters`, 'shorten it');
  if (/[\0\n\r]/.test(text)) refuse('it holds a NUL or a line break', 'write it on one line');

  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) refuse(`a quote opened at character ${i + 1} is never closed`, 'close it');
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const [part, next] = doubleQuoted(text, i + 1, refuse);
      word = (word ?? '') + part;
      i = next;
    } else if (c === '\\') {
      if (i + 1 >= text.length) refuse('it ends with a backslash', 'remove it or escape it');
      word = (word ?? '') + text[i + 1];
      i += 2;
    } else if (SHELL_OPERATORS.has(c)) {
      refuse(
        `"${c}" at character ${i + 1} would need a shell, and the wrapper runs without one`,
        `quote it ('${c}') if it is meant literally, or put the shell in the wrapper (sh -c ...)`,
      );
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== null) words.push(word);
  if (words.length === 0) {
    refuse(
      'it is empty',
      'give the command that runs a program where the processes live, e.g. ' +
        "'docker exec -i NAME' or 'kubectl exec -i POD -c CONTAINER --'",
    );
  }
  return words;
}

function doubleQuoted(
  text: string,
  from: number,
  refuse: (reason: string, help: string) => never,
): [string, number] {
  let out = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return [out, i + 1];
    if (c === '$' || c === '`') {
      refuse(`"${c}" inside double quotes would need a shell`, `use single quotes around it`);
    }
    // Inside double quotes a backslash escapes only these, as in sh.
    if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
      out += text[++i];
      continue;
    }
    out += c;
  }
  return refuse(`a double quote opened at character ${from} is never closed`, 'close it');
}

/** The argv back as one string a shell would split the same way, for labels and logs. */
export function formatArgv(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
