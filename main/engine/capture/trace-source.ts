// The trace method: strace attached to a running process, its output decoded into writes.
import type { CaptureNotice, Slowdown } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { ExitStatus, Host, HostProcess } from '../host/host';
import { silentLogger, type Logger } from '../log';
import type { CaptureSink, CaptureSource, SourceEnd } from './source';
import { buildStraceArgs, WATCHDOG_DONE, withWatchdog } from './strace-args';
import { attachError, readAttachFacts } from './strace-errors';
import {
  StraceParser,
  type ParseBatch,
  type ParserStats,
  type TracedExit,
  type TracedWrite,
} from './strace-parser';
import { slowdownOf } from './trace-slowdown';

export interface TraceSourceOptions {
  host: Host;
  pid: number;
  /** The fds whose writes become events: [1], [2] or [1, 2]. */
  fds: number[];
  /** strace's path on the host. */
  strace: string;
  logger?: Logger;
  /** strace's -s; lower it only to test what a cut write looks like. */
  stringLimit?: number;
  /** What one traced call costs the target, in µs (DESIGN §5: about 130 here). */
  perCallMicros?: number;
}

/** A trace source, with what it costs the target and what it has parsed. */
export interface TraceSource extends CaptureSource {
  /** The cost to the target over the time since the previous call (or since attach). */
  slowdown(): Slowdown;
  readonly stats: ParserStats;
}

// SIGINT makes strace detach from every thread and exit; the escalations are for a strace that
// does not answer (stopped, or stuck in the kernel). A tracer that dies still detaches: the
// kernel releases its tracees.
const STOP_ESCALATION: [NodeJS.Signals, number][] = [
  ['SIGINT', 5_000],
  ['SIGTERM', 5_000],
  ['SIGKILL', 5_000],
];
const STDERR_KEEP = 64 * 1024;

/** Creates a trace source for a process (method 'trace', times of the system calls). */
export function createTraceSource(options: TraceSourceOptions): TraceSource {
  return new StraceCapture(options);
}

class StraceCapture implements TraceSource {
  readonly method = 'trace' as const;
  readonly timing = 'syscall' as const;
  readonly ended: Promise<SourceEnd>;
  private settle: (end: SourceEnd) => void = () => {};
  private readonly logger: Logger;
  private readonly parser: StraceParser;
  private proc: HostProcess | null = null;
  private stderr = '';
  private attached = false;
  private stopping = false;
  private exit: TracedExit | null = null;
  private readonly targets = new Map<number, string>();
  private sample = { at: performance.now(), calls: 0, last: null as Slowdown | null };

  constructor(private readonly options: TraceSourceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.parser = new StraceParser({ fds: options.fds, defaultPid: options.pid });
    this.ended = new Promise<SourceEnd>((resolve) => (this.settle = resolve));
  }

  get stats(): ParserStats {
    return this.parser.stats;
  }

  start(sink: CaptureSink): Promise<void> {
    if (this.proc)
      return Promise.reject(new FdscopeError('internal', 'trace source started twice'));
    const { host, pid } = this.options;
    const argv = buildStraceArgs({
      strace: this.options.strace,
      pid,
      stringLimit: this.options.stringLimit,
    });
    this.logger.info('trace', `attaching to pid ${pid}`, { argv });
    const proc = host.spawn(withWatchdog(argv), { stdin: true });
    this.proc = proc;
    // The watchdog may be gone before we tell it anything (strace failed to start).
    proc.stdin?.on('error', () => {});

    return new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => this.deliver(sink, this.parser.push(chunk)));
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (text: string) => {
        if (this.stderr.length < STDERR_KEEP) this.stderr += text;
        // "strace: Process N attached": the main thread is seized, the target is traced.
        if (!this.attached && this.stderr.includes(`Process ${pid} attached`)) {
          this.attached = true;
          this.sample = { at: performance.now(), calls: this.parser.stats.calls, last: null };
          this.logger.info('trace', `attached to pid ${pid}`);
          resolve();
        }
      });
      void proc.exited.then(async (status) => {
        proc.stdin?.end(WATCHDOG_DONE);
        this.deliver(sink, this.parser.end());
        if (this.stopping && !this.attached) {
          reject(new FdscopeError('internal', `stopped before strace attached to pid ${pid}`));
          this.finish({ reason: 'stopped' });
          return;
        }
        if (this.attached) {
          this.finish(this.endOf(status));
          return;
        }
        const error = await this.attachFailure(status);
        reject(error);
        this.finish({ reason: 'attach failed', error });
      });
    });
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) {
      this.finish({ reason: 'stopped' });
      return;
    }
    this.stopping = true;
    for (const [signal, waitMs] of STOP_ESCALATION) {
      proc.kill(signal);
      if (await settlesWithin(proc.exited, waitMs)) break;
      this.logger.warn('trace', `strace did not exit after ${signal}`, { pid: this.options.pid });
    }
    await this.ended;
  }

  slowdown(): Slowdown {
    const now = performance.now();
    const elapsed = (now - this.sample.at) / 1000;
    // Rates over less than a quarter second jump about; keep the last one a little longer.
    if (this.sample.last && elapsed < 0.25) return this.sample.last;
    const calls = this.parser.stats.calls - this.sample.calls;
    const last = slowdownOf(calls / Math.max(elapsed, 1e-3), this.options.perCallMicros);
    this.sample = { at: now, calls: this.parser.stats.calls, last };
    return last;
  }

  private deliver(sink: CaptureSink, batch: ParseBatch): void {
    if (batch.writes.length > 0) {
      for (const write of batch.writes) this.noticeTarget(sink, write.fd, write.target, write.t);
      sink.writes(batch.writes);
      for (const gap of gapsOf(batch.writes)) sink.notice(gap);
    }
    for (const exit of batch.exits) if (exit.pid === this.options.pid) this.exit = exit;
  }

  // -y shows each write's target; a change means something was put on the fd (dup2).
  private noticeTarget(sink: CaptureSink, fd: number, target: string | null, t: number): void {
    if (target === null) return;
    const before = this.targets.get(fd);
    if (before === target) return;
    this.targets.set(fd, target);
    if (before === undefined) return;
    sink.notice({ t, level: 'info', message: `fd ${fd} now points to ${target} (was ${before})` });
  }

  private endOf(status: ExitStatus): SourceEnd {
    const exit = this.exit;
    if (exit && exit.signal) {
      const core = exit.coreDumped ? ', core dumped' : '';
      return { reason: `process killed by ${exit.signal}${core}` };
    }
    if (exit) return { reason: `process exited (status ${exit.status})` };
    if (this.stopping) return { reason: 'stopped' };
    const how = status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
    const error = new FdscopeError('internal', `tracing pid ${this.options.pid} ended`, {
      reason: `strace ${how} while the process still ran`,
      help: 'start the capture again',
      details: this.stderr.trim(),
      fatal: true,
    });
    return { reason: `strace ${how}`, error };
  }

  private async attachFailure(status: ExitStatus): Promise<FdscopeError> {
    const base = {
      pid: this.options.pid,
      strace: this.options.strace,
      stderr: this.stderr,
      exit: status,
    };
    try {
      return attachError(await readAttachFacts(this.options.host, base));
    } catch (cause) {
      // The facts are only for a better message; without them strace's words still go through.
      this.logger.warn('trace', 'could not read why the attach failed', { cause: String(cause) });
      return attachError({
        ...base,
        targetStatus: '',
        selfStatus: null,
        ptraceScope: null,
        tracerComm: null,
      });
    }
  }

  private finish(end: SourceEnd): void {
    this.logger.info('trace', `ended: ${end.reason}`, {
      pid: this.options.pid,
      ...this.parser.stats,
    });
    this.settle(end);
  }
}

// Bytes a batch's writes put on the stream but could not bring: those of sendfile and splice,
// which never pass through the process, and those strace's string limit cut. One notice per
// call, pid and fd in the batch, so that a copy loop does not become a flood of notices.
function gapsOf(writes: readonly TracedWrite[]): CaptureNotice[] {
  let gaps: Map<string, { t: number; w: TracedWrite; bytes: number; calls: number }> | null = null;
  for (const w of writes) {
    if (w.bytes.length >= w.full) continue;
    gaps ??= new Map();
    const key = `${w.call} ${w.pid} ${w.fd}`;
    const gap = gaps.get(key) ?? { t: w.t, w, bytes: 0, calls: 0 };
    gap.bytes += w.full - w.bytes.length;
    gap.calls += 1;
    gaps.set(key, gap);
  }
  if (gaps === null) return [];
  return [...gaps.values()].map(({ t, w, bytes, calls }) => {
    const by = `${calls === 1 ? '' : `${calls} `}${w.call}${calls === 1 ? '' : ' calls'}`;
    const why = w.opaque
      ? 'not visible to the tracer (they never pass through the process)'
      : "cut by strace's string limit";
    return {
      t,
      level: 'warning' as const,
      message: `gap: ${bytes} bytes written to fd ${w.fd} by ${by} of pid ${w.pid} ${why}`,
    };
  });
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
