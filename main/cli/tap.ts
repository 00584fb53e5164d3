// fdscope tap: capture a process's streams through the engine and print their
// bytes as they arrive, until a duration, a signal, or the process's end.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureInfo, ErrorInfo } from '../../preload/contract';
import type { Engine } from '../engine/engine';
import { FdscopeError, toErrorInfo } from '../engine/errors';
import type { TapCommand } from './command-line';
import { EXIT_FAILURE, failure, infoLine } from './failure';
import { hostIdFor } from './host-option';
import { answerPrompts, cliLogger, type CliRuntime } from './runtime';
import { tapWriter, type TapSink } from './tap-output';

interface Output extends TapSink {
  close(): Promise<void>;
}

interface Ending {
  reason: string;
  error?: ErrorInfo;
}

/** Runs fdscope tap; resolves with the exit status. */
export async function runTap(cmd: TapCommand, runtime: CliRuntime): Promise<number> {
  let output: Output;
  try {
    output = cmd.output === null ? stdoutOutput(runtime) : fileOutput(cmd.output);
  } catch (error) {
    runtime.stderr.write(`fdscope: ${failure(error).line}\n`);
    return EXIT_FAILURE;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-tap-'));
  const engine = runtime.createEngine({ dataDir, logger: cliLogger(runtime) });
  let status: number;

  try {
    status = await capture(cmd, engine, output, runtime);
  } catch (error) {
    runtime.stderr.write(`fdscope: ${failure(error).line}\n`);
    status = failure(error).status;
  } finally {
    await engine.close();
    await output.close();
    if (cmd.keep) runtime.stderr.write(`fdscope: capture kept in ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  return status;
}

async function capture(
  cmd: TapCommand,
  engine: Engine,
  output: Output,
  runtime: CliRuntime,
): Promise<number> {
  // Listen for signals before attaching: Ctrl-C while strace attaches must still detach cleanly.
  let following: Following | null = null;
  let signalled: string | null = null;
  const offSignal = runtime.onSignal((signal) => {
    if (signalled !== null) return;
    signalled = `stopped by ${signal}`;
    following?.stop(signalled);
  });

  const stopAnswering = answerPrompts(engine, runtime);
  try {
    const hostId = await hostIdFor(engine, cmd.host);
    const info = await engine.handle('capture:start', {
      hostId,
      pid: cmd.pid,
      fds: cmd.fds,
      method: cmd.method,
      fromStart: cmd.fromStart || undefined,
      confirmPipe: cmd.confirmPipe || undefined,
    });
    const say = (line: string) => runtime.stderr.write(`fdscope: ${line}\n`);
    following = follow(engine, info, cmd, output, say);
    if (signalled !== null) following.stop(signalled);
    const ending = await following.ending;

    const { bytes, writes, missing } = following.counts;
    const cut = missing > 0 ? `, ${missing} bytes cut by the capture` : '';
    runtime.stderr.write(
      `fdscope: captured ${bytes} bytes in ${writes} writes from pid ${cmd.pid}` +
        ` (${ending.reason}${cut})\n`,
    );
    if (!ending.error) return 0;
    runtime.stderr.write(`fdscope: ${infoLine(ending.error)}\n`);
    return EXIT_FAILURE;
  } finally {
    stopAnswering();
    offSignal();
  }
}

interface Following {
  ending: Promise<Ending>;
  counts: { bytes: number; writes: number; missing: number };
  /** Stops the capture, then ends with this reason. */
  stop(reason: string): void;
}

function follow(
  engine: Engine,
  info: CaptureInfo,
  cmd: TapCommand,
  output: Output,
  say: (line: string) => void,
): Following {
  const writer = tapWriter(cmd.format, output);
  const counts = { bytes: 0, writes: 0, missing: 0 };
  let resolve: (ending: Ending) => void = () => {};
  const ending = new Promise<Ending>((r) => (resolve = r));
  let stopping = false;
  let done = false;

  const finish = (end: Ending) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    offWrites();
    offUpdates();
    writer.end();
    resolve(end);
  };
  const stop = (reason: string, failed?: ErrorInfo) => {
    if (stopping || done) return;
    stopping = true;
    // Writes still arrive while strace detaches: finish only once stop has answered.
    stopCapture(engine, info.id).then(
      () => finish({ reason, error: failed }),
      (error: unknown) => finish({ reason, error: failed ?? toErrorInfo(error) }),
    );
  };
  // Notices (a gap, fd 1 moved or closed, other processes followed) go to stderr as they come:
  // the bytes on stdout cannot say what they miss.
  let noticed = 0;
  const notices = (i: CaptureInfo) => {
    if (i.id !== info.id) return;
    for (const n of i.notices.slice(noticed)) say(`${n.level}: ${n.message}`);
    noticed = Math.max(noticed, i.notices.length);
  };
  const ended = (i: CaptureInfo) => {
    notices(i);
    if (i.id !== info.id || i.state !== 'ended' || stopping) return;
    finish({ reason: i.endReason ?? 'capture ended', error: i.error });
  };

  const offWrites = engine.onWrites(info.id, (events) => {
    if (done) return;
    for (const event of events) {
      counts.writes++;
      counts.bytes += event.bytes.length;
      counts.missing += Math.max(0, event.full - event.bytes.length);
    }
    try {
      writer.writes(events);
    } catch (error) {
      // The reader went away (EPIPE, `| head`): nothing left to print to, so detach. Any other
      // failure (a full disk) loses bytes, and says so.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return stop('output closed');
      const where = cmd.output ?? 'standard output';
      const failed = new FdscopeError('io', `unable to write the capture to ${where}`, {
        reason: (error as Error).message,
        help: 'free some space, or choose another --output',
      });
      stop('output failed', failed.toInfo());
    }
  });
  const offUpdates = engine.on('capture:update', ended);
  const timer =
    cmd.duration === null
      ? undefined
      : setTimeout(() => stop(`stopped after ${cmd.duration} s`), cmd.duration * 1000);
  ended(info);
  // It may have ended between the start's answer and our listening.
  engine.handle('capture:get', { id: info.id }).then(ended, () => {});
  return { ending, counts, stop };
}

async function stopCapture(engine: Engine, id: string): Promise<void> {
  try {
    await engine.handle('capture:stop', { id });
  } catch (error) {
    // A capture that ended on its own meanwhile has nothing left to stop.
    if (!(error instanceof FdscopeError && error.code === 'process-ended')) throw error;
  }
}

function stdoutOutput(runtime: CliRuntime): Output {
  let broken: Error | null = null;
  runtime.stdout.on('error', (error: Error) => {
    broken = error;
  });
  return {
    write: (bytes) => {
      if (broken) throw broken;
      runtime.stdout.write(bytes);
    },
    close: () =>
      new Promise((resolve) => {
        if (broken) return resolve();
        runtime.stdout.write('', () => resolve());
      }),
  };
}

function fileOutput(path: string): Output {
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new FdscopeError('io', `unable to write --output ${path}`, {
      reason:
        code === 'ENOENT'
          ? 'no such folder'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message,
      help: 'give the path of a file in an existing folder',
      cause: error,
    });
  }
  return {
    // Synchronous, so bytes reach the file in order and none wait in memory.
    write: (bytes) => {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at);
    },
    close: async () => closeSync(fd),
  };
}
