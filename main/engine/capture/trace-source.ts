// The trace method: strace attached to a running process, and to every other process that
// holds its streams, its output decoded into writes.
import type { FollowedProcess, Slowdown } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { ExitStatus, Host, HostProcess } from '../host/host';
import { silentLogger, type Logger } from '../log';
import type { CaptureSink, CaptureSource, SourceEnd } from './source';
import { buildStraceArgs, WATCHDOG_DONE, withWatchdog } from './strace-args';
import { attachError, readAttachFacts } from './strace-errors';
import { StraceParser, type ParseBatch, type ParserStats, type TracedExit } from './strace-parser';
import {
  holdersOf,
  isTaskOf,
  readComm,
  scanStream,
  tracerOf,
  type StreamScan,
} from './stream-holders';
import {
  FollowedProcesses,
  attachFailures,
  changeNotice,
  execNotice,
  gapsOf,
  holdersNotice,
  inFlightNotice,
} from './trace-follow';
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
  /**
   * Follow the streams into every process holding them (default: on this machine, whose /proc
   * fdscope reads). Off, only the target and the children it starts are traced, and their
   * writes are taken by fd number.
   */
  followStreams?: boolean;
  /** Run strace as root: the host elevates (sudo over SSH) for another user's process. */
  privileged?: boolean;
}

/** A trace source, with what it costs the target and what it has parsed. */
export interface TraceSource extends CaptureSource {
  /** The cost to the target over the time since the previous call (or since attach). */
  slowdown(): Slowdown;
  readonly stats: ParserStats;
  /** The processes traced for the capture, the target first. */
  followed(): FollowedProcess[];
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
  private readonly local: boolean;
  private parser: StraceParser;
  private proc: HostProcess | null = null;
  private stderr = '';
  private attached = false;
  private stopping = false;
  private exit: TracedExit | null = null;
  private scan: StreamScan = { targets: new Map(), holders: [] };
  private following: FollowedProcesses;
  /** The streams' targets: what other processes are looked for when the target ends. */
  private readonly links = new Set<string>();
  private readonly attachReported = new Set<number>();
  /** Our strace's pid, as the target's TracerPid said once attached (0 when unknown). */
  private tracer = 0;
  private sample = { at: performance.now(), calls: 0, last: null as Slowdown | null };

  constructor(private readonly options: TraceSourceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.local = options.followStreams ?? options.host.info.kind === 'local';
    this.parser = new StraceParser({ fds: options.fds, defaultPid: options.pid });
    this.following = new FollowedProcesses({ pid: options.pid, command: '?' }, [], false);
    this.ended = new Promise<SourceEnd>((resolve) => (this.settle = resolve));
  }

  get stats(): ParserStats {
    return this.parser.stats;
  }

  followed(): FollowedProcess[] {
    return this.following.list(this.local ? this.parser : undefined);
  }

  // The streams' targets and their other holders, read before strace starts; the parser then
  // takes writes by target, from any of them.
  private prepare(): number[] {
    const { pid, fds } = this.options;
    if (!this.local) return [];
    const started = performance.now();
    this.scan = scanStream(pid, fds);
    const { targets, holders } = this.scan;
    for (const link of targets.values()) this.links.add(link);
    this.logger.info('trace', `streams of pid ${pid} held by ${holders.length} more processes`, {
      targets: Object.fromEntries(targets),
      holders: holders.map((h) => h.pid),
      ms: Math.round(performance.now() - started),
    });
    this.parser = new StraceParser({
      fds,
      defaultPid: pid,
      targets,
      isOwner: (tid) => isTaskOf(pid, tid),
    });
    this.following = new FollowedProcesses({ pid, command: readComm(pid) }, holders, true);
    return holders.map((h) => h.pid);
  }

  start(sink: CaptureSink): Promise<void> {
    if (this.proc)
      return Promise.reject(new FdscopeError('internal', 'trace source started twice'));
    const { host, pid } = this.options;
    const argv = buildStraceArgs({
      strace: this.options.strace,
      pid,
      others: this.prepare(),
      stringLimit: this.options.stringLimit,
    });
    this.logger.info('trace', `attaching to pid ${pid}`, { argv });
    const proc = host.spawn(withWatchdog(argv), {
      stdin: true,
      privileged: this.options.privileged,
    });
    this.proc = proc;
    // The watchdog may be gone before we tell it anything (strace failed to start).
    proc.stdin?.on('error', () => {});

    return new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => this.deliver(sink, this.parser.push(chunk)));
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (text: string) => {
        if (this.stderr.length < STDERR_KEEP) this.stderr += text;
        this.checkAttaches(sink);
        // "strace: Process N attached": the main thread is seized, the target is traced.
        if (!this.attached && this.stderr.includes(`Process ${pid} attached`)) {
          this.attached = true;
          if (this.local) this.tracer = tracerOf(pid);
          this.sample = { at: performance.now(), calls: this.parser.stats.calls, last: null };
          this.logger.info('trace', `attached to pid ${pid}`);
          const holders = holdersNotice(Date.now() * 1000, this.scan.targets, this.scan.holders);
          if (holders) sink.notice(holders);
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

  // The target's attach failing ends the capture even when strace holds others; another
  // holder's failing is only said.
  private checkAttaches(sink: CaptureSink): void {
    if (!this.stderr.includes('attach: ')) return;
    for (const { pid, words } of attachFailures(this.stderr)) {
      if (this.attachReported.has(pid)) continue;
      this.attachReported.add(pid);
      if (pid === this.options.pid) {
        if (!this.attached) this.proc?.kill('SIGINT');
        continue;
      }
      const message = `could not follow pid ${pid}, which holds the stream too: ${words}`;
      sink.notice({ t: Date.now() * 1000, level: 'warning', message });
    }
  }

  private deliver(sink: CaptureSink, batch: ParseBatch): void {
    for (const change of batch.changes) sink.notice(changeNotice(change));
    for (const exec of batch.execs) {
      this.following.sawExec(exec);
      if (this.parser.isOwner(exec.pid)) sink.notice(execNotice(exec));
    }
    if (batch.writes.length > 0) {
      if (this.local) this.following.sawWrites(batch.writes, this.parser);
      sink.writes(batch.writes);
      for (const gap of gapsOf(batch.writes)) sink.notice(gap);
    }
    for (const exit of batch.exits) {
      if (exit.inFlight) sink.notice(inFlightNotice(exit));
      if (exit.pid !== this.options.pid) continue;
      this.exit = exit;
      this.targetEnded(sink, exit);
    }
  }

  // The target has ended; its children may hold the streams still (a shell script's last
  // command), or may not (a daemon it started, writing elsewhere): follow the first, let go
  // of the second rather than trace it for nothing.
  private targetEnded(sink: CaptureSink, exit: TracedExit): void {
    if (!this.local || this.stopping) return;
    const shared = [...this.links].filter((l) => /^(pipe|socket):\[|^\/(?!dev\/)/.test(l));
    const holders = holdersOf(shared, new Set([this.options.pid, process.pid]));
    // strace 6.1 can lose a child forked just before its parent exits: the parent's death
    // leaves it no tracee it knows of, and it ends before the child's first stop is reported.
    const ours = tracerOf(this.options.pid) || this.tracer;
    const lost = holders.filter((h) => tracerOf(h.pid) !== ours);
    for (const h of lost) {
      sink.notice({
        t: exit.t,
        level: 'warning',
        message:
          `pid ${h.pid} (${h.comm}) holds the stream but is not traced: ` +
          'what it writes from now on is not captured',
      });
    }
    const traced = holders.filter((h) => !lost.includes(h));
    if (traced.length === 0) {
      void this.stop();
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited (status ${exit.status})`;
    const who = traced.map((h) => `${h.pid} (${h.comm})`).join(', ');
    sink.notice({
      t: exit.t,
      level: 'info',
      message: `pid ${exit.pid} ${how}; the capture goes on with ${who}, which hold its streams`,
    });
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
      stderr: aboutTarget(this.stderr, this.options.pid),
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

// strace's words without those about the other holders (one may have ended meanwhile, and its
// "No such process" is not why the target could not be traced).
function aboutTarget(stderr: string, pid: number): string {
  const other = /(?:ptrace\(PTRACE_\w+, |Process )(\d+)/;
  return stderr
    .split('\n')
    .filter((line) => {
      const m = other.exec(line);
      return m === null || Number(m[1]) === pid;
    })
    .join('\n');
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
