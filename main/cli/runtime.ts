// What the commands need from the outside world, given as one object so tests
// can pass fakes: the engine's constructor, the output streams, signals.
import type { Writable } from 'node:stream';
import type { Engine, EngineOptions } from '../engine/engine';
import { lineLogger, silentLogger, type Logger } from '../engine/log';
import { answerOnTty, type TtyInput } from './tty-prompts';

export interface CliRuntime {
  createEngine(options: EngineOptions): Engine;
  stdout: Writable;
  stderr: Writable;
  /** The terminal to ask questions on (an SSH host's key, a password), when there is one. */
  stdin?: TtyInput;
  env: NodeJS.ProcessEnv;
  /** Width of the terminal, when standard output is one. */
  columns: number | undefined;
  /** Calls handler on SIGINT or SIGTERM; returns the function that stops listening. */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  /** The built renderer, for serve. */
  rendererDir: string;
  /** Opens a URL in the user's browser; resolves false when none could be started. */
  openBrowser(url: string): Promise<boolean>;
}

/** The logger for the engine: lines on stderr at $FDSCOPE_LOG's level (warn by default). */
export function cliLogger(runtime: CliRuntime): Logger {
  const level = runtime.env.FDSCOPE_LOG ?? 'warn';
  if (level === 'off') return silentLogger;
  const known = ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'warn';
  return lineLogger((line) => runtime.stderr.write(line), known);
}

/** The process's signals, as CliRuntime.onSignal gives them. */
export function processSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Answers the engine's questions on the terminal; without one, refuses them at once, so that an
 * SSH host that needs an answer fails saying so instead of waiting. Returns what stops it.
 */
export function answerPrompts(engine: Engine, runtime: CliRuntime): () => void {
  const broker = engine.prompts;
  if (!broker) return () => undefined;
  if (runtime.stdin?.isTTY) return answerOnTty(broker, runtime.stdin, runtime.stderr);
  return broker.onAsk((prompt) => broker.answer({ id: prompt.id, accept: false, values: [] }));
}
