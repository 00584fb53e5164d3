// The fdscope command, as bin/fdscope.js runs it from out/main/cli.js.
import { fileURLToPath } from 'node:url';
import { version } from '../../package.json';
import { createEngine } from '../engine/create-engine';
import { openBrowser } from './open-browser';
import { runCli } from './run';
import { processSignals } from './runtime';

const status = await runCli(
  process.argv.slice(2),
  {
    createEngine,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    onSignal: processSignals,
    // The bundle is out/main/cli.js; the renderer is built beside it.
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    openBrowser,
  },
  version,
);
// Handles the engine may still hold (timers, child pipes) must not keep a finished command alive.
process.exit(status);
