// fdscope's entry: parse, dispatch, and turn every failure into one line.
import { parseCommandLine } from './command-line';
import { failure } from './failure';
import { HELP_TEXT } from './help';
import { runPs } from './ps';
import type { CliRuntime } from './runtime';
import { runServe } from './serve';
import { runTap } from './tap';

/** Runs fdscope with its arguments; resolves with the exit status. */
export async function runCli(
  argv: readonly string[],
  runtime: CliRuntime,
  version: string,
): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    switch (command.command) {
      case 'help':
        runtime.stdout.write(HELP_TEXT);
        return 0;
      case 'version':
        runtime.stdout.write(`fdscope ${version}\n`);
        return 0;
      case 'ps':
        return await runPs(command.json, runtime, command.host);
      case 'tap':
        return await runTap(command, runtime);
      case 'serve':
        return await runServe(command, runtime);
    }
  } catch (error) {
    const { line, status } = failure(error);
    runtime.stderr.write(`fdscope: ${line}\n`);
    return status;
  }
}
