// Every argument that reaches a remote shell is quoted here, for POSIX sh (dash, bash, busybox).

/** Quotes one argument for POSIX sh: single quotes, each ' written as '\''. */
export function quoteArg(arg: string): string {
  // A NUL cannot be passed in an argument at all; refusing beats silently cutting it.
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes an argv into one command line for sh -c. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('an empty command cannot be run');
  return argv.map(quoteArg).join(' ');
}

/** Checks an environment variable name: only these can be set through `env NAME=value`. */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
