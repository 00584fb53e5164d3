// An in-page FdscopeBridge for testing the renderer without the engine:
// fixture processes and one synthetic capture holding the patterns the views
// must get right (4096-byte block writes, stderr, ANSI colours, a \r progress
// bar, 3-byte characters cut by writes, invalid UTF-8, a long line).
//
// installFakeBridge is passed to Playwright's page.addInitScript, which sends
// its source text into the page: it must use nothing from outside its body.

import type {
  CaptureInfo,
  FdscopeBridge,
  LogLine,
  ProcessInfo,
  TimelineWrite,
} from '../../preload/contract';

export interface FakeOptions {
  /** Emit live writes on a timer; when false, tests call window.__fake.tick(). */
  autoTick: boolean;
  /** The mode the bridge reports; 'electron' shows the native-dialog buttons. */
  mode?: 'electron' | 'browser';
  /** The process list; the first one is the capture's target. */
  processes: ProcessInfo[];
}

export interface FakeHandle {
  calls: { name: string; req: unknown }[];
  tick(): void;
  /** Adds `lines` stdout lines in `events` updates, as fast as it can. */
  flood(lines: number, events: number): void;
}

export function installFakeBridge(options: FakeOptions): void {
  type Write = { t: number; fd: number; pid: number; bytes: Uint8Array };
  type Line = { t: number; fd: number; bytes: Uint8Array; complete: boolean };
  type Capture = {
    info: CaptureInfo;
    writes: Write[];
    lines: Line[];
    open: Map<number, Line>;
  };

  const enc = new TextEncoder();
  const calls: { name: string; req: unknown }[] = [];
  const listeners = new Set<(c: CaptureInfo) => void>();
  const captures = new Map<string, Capture>();
  const PID = options.processes[0].pid;
  const nowUs = (): number => Date.now() * 1000;

  const processes = options.processes;

  function record(c: Capture, w: Write): void {
    c.writes.push(w);
    const stream = c.info.streams.find((s) => s.fd === w.fd);
    if (stream) {
      stream.bytes += w.bytes.length;
      stream.writes++;
    }
    c.info.writes++;
    c.info.bytes += w.bytes.length;
    c.info.firstT = c.info.firstT || w.t;
    c.info.lastT = w.t;
    let start = 0;
    for (let i = 0; i < w.bytes.length; i++) {
      if (w.bytes[i] !== 0x0a) continue;
      finishLine(c, w, w.bytes.subarray(start, i + 1));
      start = i + 1;
    }
    if (start < w.bytes.length) appendOpen(c, w, w.bytes.subarray(start));
  }

  function appendOpen(c: Capture, w: Write, part: Uint8Array): void {
    const open = c.open.get(w.fd);
    if (!open) {
      c.open.set(w.fd, { t: w.t, fd: w.fd, bytes: part.slice(), complete: false });
      return;
    }
    const joined = new Uint8Array(open.bytes.length + part.length);
    joined.set(open.bytes);
    joined.set(part, open.bytes.length);
    open.bytes = joined;
  }

  function finishLine(c: Capture, w: Write, part: Uint8Array): void {
    appendOpen(c, w, part);
    const line = c.open.get(w.fd) as Line;
    c.open.delete(w.fd);
    line.complete = true;
    c.lines.push(line);
    c.info.lines++;
    const stream = c.info.streams.find((s) => s.fd === w.fd);
    if (stream) stream.lines++;
  }

  function allLines(c: Capture): Line[] {
    return [...c.lines, ...c.open.values()];
  }

  let requestId = 0;
  // What a 4096-byte block cut off: the next block starts with it, as stdio does.
  let carry = new Uint8Array(0);
  function stdoutBlock(c: Capture, t: number): void {
    let text = '';
    while (carry.length + text.length < 4200) {
      requestId++;
      const ms = 5 + ((requestId * 37) % 240);
      const clock = `2026-12-04 10:0${requestId % 10}:12`;
      text += `${clock} INFO job=${requestId} queue=jobs ok in ${ms}ms\n`;
    }
    const all = new Uint8Array([...carry, ...enc.encode(text)]);
    carry = all.slice(4096);
    record(c, { t, fd: 1, pid: PID, bytes: all.slice(0, 4096) });
  }

  function stderr(c: Capture, t: number, text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? enc.encode(text) : text;
    record(c, { t, fd: 2, pid: PID, bytes });
  }

  function fillBacklog(c: Capture): void {
    const t0 = nowUs() - 14_000_000;
    stderr(c, t0, 'worker: starting pool of 4 workers\n');
    for (let k = 0; k < 5; k++) {
      stdoutBlock(c, t0 + 2_400_000 * (k + 1));
      stderr(c, t0 + 2_400_000 * (k + 1) - 900_000, `WARN slow job ${k * 41 + 7}: 1.${k}s\n`);
    }
    const t = t0 + 12_500_000;
    stderr(c, t, '\x1b[1;31mERROR\x1b[0m db \x1b[38;5;208mtimeout\x1b[0m after ');
    stderr(c, t + 10, '\x1b[38;2;120;200;255m5000 ms\x1b[0m, \x1b[4mretrying\x1b[24m\n');
    for (let p = 1; p <= 20; p++) {
      const bar = '█'.repeat(p) + ' '.repeat(20 - p);
      stderr(c, t + 20_000 * p, `\rdownloading model ${String(p * 5).padStart(3)}% ${bar}`);
    }
    stderr(c, t + 500_000, ' done\n');
    const box = enc.encode(`box ${'─'.repeat(30)} end\n`);
    stderr(c, t + 600_000, box.subarray(0, 8));
    stderr(c, t + 600_100, box.subarray(8));
    stderr(c, t + 700_000, new Uint8Array([...enc.encode('bad bytes: '), 0xff, 0x41, 0x0a]));
    const long = 'LONG ' + 'abcdefghij'.repeat(2000) + '\n';
    record(c, { t: t + 800_000, fd: 1, pid: PID, bytes: enc.encode(long) });
  }

  function emit(c: Capture): void {
    const copy = structuredClone(c.info);
    for (const l of listeners) l(copy);
  }

  function tick(): void {
    for (const c of captures.values()) {
      if (c.info.state !== 'running') continue;
      const t = nowUs();
      if (c.info.writes % 3 === 0) stdoutBlock(c, t);
      stderr(c, t + 1000, `tick ${c.info.writes}: heartbeat\n`);
      emit(c);
    }
  }

  function flood(lines: number, events: number): void {
    const c = [...captures.values()][0];
    if (!c) return;
    const per = Math.ceil(lines / events);
    for (let e = 0; e < events; e++) {
      const t = nowUs();
      let text = '';
      for (let i = 0; i < per; i++) text += `flood ${e}.${i} xxxxxxxxxxxxxxxxxxxxxxxx\n`;
      record(c, { t, fd: 1, pid: PID, bytes: enc.encode(text) });
      emit(c);
    }
  }

  function start(req: {
    pid: number;
    fds: number[];
    method: string;
    confirmPipe?: boolean;
  }): CaptureInfo {
    const p = processes.find((x) => x.pid === req.pid);
    if (!p) throw fail('no-such-process', `no process ${req.pid}`);
    if (p.uid === 0) {
      throw fail('ptrace-capability', `unable to attach to pid ${p.pid}`, {
        reason: 'the process belongs to root and this user lacks CAP_SYS_PTRACE',
        help: 'run fdscope as root, or capture a process of your own user',
      });
    }
    if (req.method === 'pipe' && !req.confirmPipe) {
      throw fail('pipe-needs-confirm', 'reading the pipe takes output from its reader', {
        help: 'confirm to read the pipe, or use trace',
      });
    }
    const id = `cap-${captures.size + 1}`;
    const method = req.method === 'auto' ? (p.methods['1'].method ?? 'trace') : req.method;
    const info: CaptureInfo = {
      id,
      hostId: 'local',
      pid: p.pid,
      command: p.command,
      method: method as CaptureInfo['method'],
      timing: method === 'file' ? 'observed' : 'syscall',
      state: 'running',
      startedAt: Date.now() - 15_000,
      streams: req.fds.map((fd) => ({
        fd,
        stream: fd === 2 ? 'stderr' : 'stdout',
        target: p.fds.find((f) => f.fd === fd) ?? { fd, kind: 'unknown', link: '?' },
        bytes: 0,
        writes: 0,
        lines: 0,
      })),
      writes: 0,
      bytes: 0,
      lines: 0,
      firstT: 0,
      lastT: 0,
      notices: [
        { t: nowUs() - 15_000_000, level: 'info', message: 'attached with strace -f (4 threads)' },
        { t: nowUs() - 9_000_000, level: 'warning', message: 'fd 1 now points to pipe:[88240]' },
      ],
      slowdown: {
        callsPerSecond: 38,
        factor: 1.1,
        message: 'about 38 write calls a second: the process runs about 1.1× slower',
      },
    };
    const c: Capture = { info, writes: [], lines: [], open: new Map() };
    captures.set(id, c);
    fillBacklog(c);
    return structuredClone(info);
  }

  class Failure {
    constructor(public error: unknown) {}
  }
  function fail(code: string, message: string, more: object = {}): Failure {
    return new Failure({ code, message, ...more });
  }

  function get(id: string): Capture {
    const c = captures.get(id);
    if (!c) throw fail('no-such-capture', `no capture ${id}`);
    return c;
  }

  const text = new TextDecoder();
  const added: { id: string; label: string; kind: string; origin: string }[] = [];
  const exported = new Set<string>();
  const handlers: Record<string, (req: never) => unknown> = {
    'hosts:list': () => [{ id: 'local', label: 'This machine', kind: 'local' }, ...added],
    'hosts:add': (req: { kind: 'ssh' | 'command'; label: string; spec: string }) => {
      if (req.spec.includes('&&')) {
        throw fail('bad-request', 'unable to use that wrapper command', {
          reason: '"&" at character 3 would need a shell, and the wrapper runs without one',
        });
      }
      const host = { id: `${req.kind}-${added.length + 1}`, label: req.label || req.spec };
      added.push({ ...host, kind: req.kind, origin: 'added' });
      return added[added.length - 1];
    },
    'hosts:remove': (req: { id: string }) => {
      added.splice(
        added.findIndex((h) => h.id === req.id),
        1,
      );
      return { id: req.id };
    },
    'processes:list': () => ({
      capabilities: {
        uid: 1000,
        user: 'dev',
        isRoot: false,
        strace: '/usr/bin/strace',
        straceVersion: '6.1',
        ptraceScope: 0,
        capSysPtrace: false,
      },
      processes: structuredClone(processes),
    }),
    'capture:start': (req: Parameters<typeof start>[0]) => start(req),
    'capture:list': () => [...captures.values()].map((c) => structuredClone(c.info)),
    'capture:get': (req: { id: string }) => structuredClone(get(req.id).info),
    'capture:stop': (req: { id: string }) => {
      const c = get(req.id);
      c.info.state = 'ended';
      c.info.endedAt = Date.now();
      c.info.endReason = 'stopped by user';
      emit(c);
      return structuredClone(c.info);
    },
    'capture:lines': (req: { id: string; from: number; count: number; maxBytes?: number }) => {
      const all = allLines(get(req.id));
      const cap = req.maxBytes ?? Infinity;
      const lines: LogLine[] = all.slice(req.from, req.from + req.count).map((l, k) => ({
        index: req.from + k,
        fd: l.fd,
        t: l.t,
        length: l.bytes.length,
        bytes: l.bytes.slice(0, cap),
        complete: l.complete,
      }));
      return { total: all.length, lines };
    },
    'capture:search': (req: {
      id: string;
      query: string;
      from: number;
      backwards?: boolean;
      caseSensitive?: boolean;
    }) => {
      const all = allLines(get(req.id));
      const norm = (s: string): string => (req.caseSensitive ? s : s.toLowerCase());
      const q = norm(req.query);
      const step = req.backwards ? -1 : 1;
      for (let i = req.from; i >= 0 && i < all.length; i += step) {
        if (norm(text.decode(all[i].bytes)).includes(q)) return { index: i };
      }
      return { index: null };
    },
    'capture:line-at': (req: { id: string; t: number }) => {
      const i = allLines(get(req.id)).findIndex((l) => l.t >= req.t);
      return { index: i < 0 ? null : i };
    },
    'capture:timeline': (req: { id: string; t0: number; t1: number; buckets: number }) => {
      const ws = get(req.id).writes.filter((w) => w.t >= req.t0 && w.t <= req.t1);
      const writes: TimelineWrite[] = ws.map((w) => ({
        t: w.t,
        fd: w.fd,
        pid: w.pid,
        length: w.bytes.length,
      }));
      if (writes.length <= 2000) {
        return { t0: req.t0, t1: req.t1, writes, buckets: null, total: writes.length };
      }
      const span = (req.t1 - req.t0) / req.buckets;
      const buckets = [1, 2].map((fd) => {
        const b = {
          fd,
          counts: Array(req.buckets).fill(0),
          bytes: Array(req.buckets).fill(0),
          maxLength: Array(req.buckets).fill(0),
        };
        for (const w of writes) {
          if (w.fd !== fd) continue;
          const i = Math.min(req.buckets - 1, Math.floor((w.t - req.t0) / span));
          b.counts[i]++;
          b.bytes[i] += w.length;
          b.maxLength[i] = Math.max(b.maxLength[i], w.length);
        }
        return b;
      });
      return { t0: req.t0, t1: req.t1, writes: null, buckets, total: writes.length };
    },
    'capture:diagnosis': () => [
      {
        fd: 1,
        verdict: 'block-buffered',
        headline: 'block-buffered: 4096-byte writes every ~2.4 s; lines wait up to 2.4 s',
        details: ['5 of 6 writes are exactly 4096 bytes', 'lines are split across writes'],
        fixes: ['set PYTHONUNBUFFERED=1', 'or run python -u'],
        runtime: 'CPython 3.11',
      },
      {
        fd: 2,
        verdict: 'unbuffered',
        headline: 'unbuffered: one write per line or less',
        details: [],
        fixes: [],
        runtime: null,
      },
    ],
    'capture:export': (req: { id: string; fds: number[]; path: string; overwrite?: boolean }) => {
      if (exported.has(req.path) && !req.overwrite) {
        throw fail('file-exists', 'unable to export', {
          reason: `${req.path} already exists`,
          help: 'choose another name, or replace it',
        });
      }
      exported.add(req.path);
      if (req.path.startsWith('/nope')) {
        throw fail('io', `unable to write ${req.path}`, {
          reason: 'no such directory',
          help: 'choose a folder that exists',
        });
      }
      const c = get(req.id);
      const bytes = c.writes
        .filter((w) => req.fds.includes(w.fd))
        .reduce((n, w) => n + w.bytes.length, 0);
      return { path: req.path, bytes };
    },
    'export:default-path': (req: { format: string; fds: number[] }) => {
      const ext = req.format === 'raw' ? 'bin' : req.format === 'text' ? 'txt' : req.format;
      return { path: `/home/dev/fdscope/worker-${PID}-${req.fds.join('-')}.${ext}` };
    },
    'dialog:save-path': () => ({ path: '/home/dev/chosen.txt' }),
  };

  const bridge: FdscopeBridge = {
    mode: options.mode ?? 'browser',
    async request(name, req) {
      calls.push({ name, req: structuredClone(req) });
      await new Promise((r) => setTimeout(r, 5));
      try {
        const handler = handlers[name];
        if (!handler) throw fail('not-supported', `${name} is not faked`);
        return { ok: true, value: handler(req as never) } as never;
      } catch (e) {
        if (e instanceof Failure) return { ok: false, error: e.error } as never;
        throw e;
      }
    },
    on(_name, listener) {
      const l = listener as (c: CaptureInfo) => void;
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };

  const w = window as unknown as { fdscope: FdscopeBridge; __fake: FakeHandle };
  w.fdscope = bridge;
  w.__fake = { calls, tick, flood };
  if (options.autoTick) setInterval(tick, 1000);
}
