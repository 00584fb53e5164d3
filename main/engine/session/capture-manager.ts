// Every capture: the running ones, and those stored in the data folder from
// earlier runs, which stay listed and readable after the app is closed.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CaptureInfo,
  HostCapabilities,
  ProcessInfo,
  StartRequest,
} from '../../../preload/contract';
import type { WriteEvent } from '../capture/source';
import { FdscopeError } from '../errors';
import type { Host } from '../host/host';
import type { Logger } from '../log';
import { CaptureReader } from '../store/capture-reader';
import {
  newCaptureId,
  readMeta,
  type CapturedProcess,
  type StoredMeta,
} from '../store/capture-meta';
import { chooseSource } from './choose-source';
import { LiveCapture } from './live-capture';

export interface ManagerOptions {
  dataDir: string;
  logger: Logger;
  publish: (info: CaptureInfo) => void;
}

/** Owns the captures of one engine. */
export class CaptureManager {
  private readonly live = new Map<string, LiveCapture>();
  private readonly stored = new Map<string, { meta: StoredMeta; reader: CaptureReader }>();

  constructor(private readonly options: ManagerOptions) {
    mkdirSync(options.dataDir, { recursive: true });
  }

  /** Starts capturing a process found on a host. */
  async start(
    host: Host,
    proc: ProcessInfo,
    caps: HostCapabilities,
    req: StartRequest,
  ): Promise<CaptureInfo> {
    const source = chooseSource(proc, caps, req, host, this.options.logger);
    const id = newCaptureId(proc.pid);
    const info: CaptureInfo = {
      id,
      hostId: host.info.id,
      pid: proc.pid,
      command: proc.command,
      method: source.method,
      timing: source.timing,
      state: 'starting',
      startedAt: Date.now(),
      streams: req.fds.map((fd) => ({
        fd,
        stream: fd === 1 ? 'stdout' : 'stderr',
        // Another user's fds may be unreadable here and still be traced (through sudo).
        target: proc.fds.find((t) => t.fd === fd) ?? { fd, kind: 'unknown', link: '' },
        bytes: 0,
        writes: 0,
        lines: 0,
      })),
      writes: 0,
      bytes: 0,
      lines: 0,
      firstT: 0,
      lastT: 0,
      notices: [],
    };
    const process: CapturedProcess = { argv: proc.argv, exe: proc.exe, comm: proc.comm };
    const capture = new LiveCapture(
      join(this.options.dataDir, id),
      info,
      process,
      source,
      this.options.publish,
      this.options.logger,
    );
    this.live.set(id, capture);
    this.options.logger.info('capture', `starting ${source.method} of pid ${proc.pid}`, {
      id,
      fds: req.fds,
    });
    await capture.start();
    return capture.snapshot();
  }

  async stop(id: string): Promise<CaptureInfo> {
    const capture = this.live.get(id);
    if (capture) return capture.stop();
    return this.get(id);
  }

  /** Every capture, newest first. */
  list(): CaptureInfo[] {
    const infos = new Map<string, CaptureInfo>();
    if (existsSync(this.options.dataDir)) {
      for (const name of readdirSync(this.options.dataDir)) {
        if (this.live.has(name)) continue;
        const entry = this.openStored(name);
        if (entry) infos.set(name, entry.meta.info);
      }
    }
    for (const [id, capture] of this.live) infos.set(id, capture.snapshot());
    return [...infos.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): CaptureInfo {
    const capture = this.live.get(id);
    if (capture) return capture.snapshot();
    return this.require(id).meta.info;
  }

  reader(id: string): CaptureReader {
    return this.live.get(id)?.reader ?? this.require(id).reader;
  }

  capturedProcess(id: string): CapturedProcess {
    if (this.live.has(id)) return readMeta(this.live.get(id)!.dir)!.process;
    return this.require(id).meta.process;
  }

  /** Subscribes to a running capture's writes. */
  onWrites(id: string, listener: (writes: WriteEvent[]) => void): () => void {
    const capture = this.live.get(id);
    if (!capture) throw noCapture(id, 'it is not running');
    return capture.subscribeWrites(listener);
  }

  /** Deletes an ended capture's folder. */
  delete(id: string): void {
    const capture = this.live.get(id);
    if (capture && capture.state !== 'ended') {
      throw new FdscopeError('bad-request', `unable to delete capture ${id}`, {
        reason: 'it is still running',
        help: 'stop it first',
      });
    }
    this.require(id).reader.close();
    this.live.delete(id);
    this.stored.delete(id);
    rmSync(join(this.options.dataDir, id), { recursive: true, force: true });
  }

  /** Stops every running capture, detaching from every target. */
  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map((c) => c.stop().catch(() => undefined)));
    for (const capture of this.live.values()) capture.reader.close();
    for (const entry of this.stored.values()) entry.reader.close();
  }

  private require(id: string) {
    const live = this.live.get(id);
    if (live) return { meta: readMeta(live.dir)!, reader: live.reader };
    const entry = this.openStored(id);
    if (!entry) throw noCapture(id, 'there is no such capture in the data folder');
    return entry;
  }

  private openStored(id: string) {
    const cached = this.stored.get(id);
    if (cached) return cached;
    if (!/^[\w.-]+$/.test(id)) return null;
    const dir = join(this.options.dataDir, id);
    const meta = readMeta(dir);
    if (!meta) return null;
    const reader = new CaptureReader(
      dir,
      meta.info.streams.map((s) => s.fd),
    );
    if (meta.info.state !== 'ended') meta.info = recovered(meta.info, reader);
    const entry = { meta, reader };
    this.stored.set(id, entry);
    return entry;
  }
}

/** A capture whose fdscope died while it ran: ended, its counters recounted from the files. */
function recovered(info: CaptureInfo, reader: CaptureReader): CaptureInfo {
  const lines = reader.lineCount();
  const streams = info.streams.map((s) => ({ ...s, bytes: reader.streamSize(s.fd) }));
  return {
    ...info,
    streams,
    state: 'ended',
    endReason: 'fdscope stopped before the capture ended; what was captured until then is kept',
    writes: reader.writeCount(),
    bytes: streams.reduce((n, s) => n + s.bytes, 0),
    lines,
  };
}

function noCapture(id: string, reason: string): FdscopeError {
  return new FdscopeError('no-such-capture', `unable to find capture ${id}`, { reason });
}
