// Builds the engine: hosts, discovery, captures and queries behind the contract.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CaptureInfo, Req, RequestName, Res } from '../../preload/contract';
import { diagnose } from './analysis/diagnosis';
import { detectRuntime } from './analysis/runtimes';
import { recentWrites } from './analysis/write-stats';
import { readLocalCapabilities } from './discovery/capabilities';
import { getLocalProcess, listLocalProcesses } from './discovery/local-discovery';
import { getRemoteProcess, listRemoteProcesses } from './discovery/remote-discovery';
import { traceThroughSudo } from './discovery/sudo-methods';
import type { Engine, EngineOptions } from './engine';
import { FdscopeError } from './errors';
import { exportCapture } from './export/export-capture';
import { HostRegistry } from './host/host-registry';
import { sshHosts } from './host/ssh-hosts';
import { silentLogger } from './log';
import { PromptBroker } from './prompts/prompt-broker';
import { subscribe } from './engine-events';
import { searchLines } from './store/search';
import { timelineQuery } from './store/timeline-query';
import { CaptureManager } from './session/capture-manager';

type Handlers = { [K in RequestName]: (req: Req<K>) => Promise<Res<K>> | Res<K> };

/** The engine behind every face: Electron IPC, the browser mode, the CLI. */
export function createEngine(options: EngineOptions): Engine {
  const logger = options.logger ?? silentLogger;
  const listeners = new Set<(info: CaptureInfo) => void>();
  const captures = new CaptureManager({
    dataDir: options.dataDir,
    logger,
    publish: (info) => listeners.forEach((l) => l(info)),
  });
  const prompts = options.prompts ?? new PromptBroker();
  const ssh = sshHosts({ prompts, dataDir: options.dataDir, home: options.home, logger });
  const factory = options.sshHostFactory ?? ((request) => ssh.create(request));
  const hosts = new HostRegistry(logger, factory || undefined, {
    dataDir: options.dataDir,
    configAliases: factory ? () => ssh.configAliases() : undefined,
  });
  // Saved hosts are made without connecting, so this is quick; requests wait for it.
  const restored = hosts.restore();

  const handlers: Handlers = {
    'hosts:list': () => hosts.list(),
    'hosts:add': (req) => hosts.add(req),
    'hosts:remove': async ({ id }) => {
      const running = captures.list().find((c) => c.hostId === id && c.state !== 'ended');
      if (running) {
        throw new FdscopeError('bad-request', `unable to remove host "${id}"`, {
          reason: `capture ${running.id} runs on it`,
          help: 'stop the capture first',
        });
      }
      await hosts.remove(id);
      return { id };
    },
    // This machine is read from /proc directly; any other host by the discovery script.
    'processes:list': async ({ hostId }) => {
      const host = hosts.get(hostId);
      if (host.info.kind === 'local') return listLocalProcesses(readLocalCapabilities(logger));
      const listed = await listRemoteProcesses(host, { logger });
      if (host.info.kind === 'ssh') traceThroughSudo(listed.capabilities, listed.processes);
      return listed;
    },
    'capture:start': async (req) => {
      const host = hosts.get(req.hostId);
      if (host.info.kind !== 'local') {
        const found = await getRemoteProcess(host, req.pid, { logger });
        return captures.start(host, found.process, found.capabilities, req);
      }
      const caps = readLocalCapabilities(logger);
      const proc = getLocalProcess(req.pid, caps);
      return captures.start(host, proc, caps, req);
    },
    'capture:stop': ({ id }) => captures.stop(id),
    'capture:list': () => captures.list(),
    'capture:get': ({ id }) => captures.get(id),
    'capture:delete': ({ id }) => {
      captures.delete(id);
      return { id };
    },
    'capture:lines': ({ id, from, count, maxBytes }) => {
      const reader = captures.reader(id);
      return { total: reader.lineCount(), lines: reader.lines(from, count, maxBytes) };
    },
    'capture:search': async ({ id, ...search }) => ({
      index: await searchLines(captures.reader(id), search),
    }),
    'capture:line-at': ({ id, t }) => ({ index: captures.reader(id).lineIndexAt(t) }),
    'capture:timeline': ({ id, t0, t1, buckets }) => {
      const fds = captures.get(id).streams.map((s) => s.fd);
      return timelineQuery(captures.reader(id), fds, t0, t1, buckets);
    },
    'capture:diagnosis': ({ id }) => {
      const info = captures.get(id);
      const runtime = detectRuntime(captures.capturedProcess(id));
      const end = info.endedAt ? info.endedAt * 1000 : Date.now() * 1000;
      const watchedFor = end - info.startedAt * 1000;
      const reader = captures.reader(id);
      return info.streams.map((stream) =>
        diagnose({ stream, writes: recentWrites(reader, stream.fd), runtime, watchedFor }),
      );
    },
    'capture:export': (req) => exportCapture(captures.reader(req.id), req),
    'export:default-path': ({ id, format, fds }) => {
      const ext = { raw: 'bin', text: 'txt', jsonl: 'jsonl', csv: 'csv' }[format];
      const which = fds.length === 1 ? (fds[0] === 1 ? '-stdout' : '-stderr') : '';
      const name = `fdscope-${id}${which}.${ext}`;
      return { path: join(homedir(), name) };
    },
    'prompt:answer': (answer) => prompts.answer(answer),
    'dialog:save-path': () => {
      throw new FdscopeError('not-supported', 'unable to open a save dialog', {
        reason: 'only the desktop app has one',
        help: 'type the path of the file instead',
      });
    },
  };

  return {
    async handle<K extends RequestName>(name: K, req: Req<K>): Promise<Res<K>> {
      const handler = handlers[name] as (req: Req<K>) => Promise<Res<K>> | Res<K>;
      if (!handler) throw new FdscopeError('bad-request', `unknown request "${String(name)}"`);
      await restored;
      return handler(req);
    },
    on: (name, listener) => subscribe({ updates: listeners, prompts }, name, listener),
    onWrites: (id, listener) => captures.onWrites(id, listener),
    prompts,
    close: async () => {
      prompts.dispose();
      await captures.close();
      await hosts.close();
    },
  };
}
