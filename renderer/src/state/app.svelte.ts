// The application's shared state: the bridge, the link, the hosts, and the
// captures shown as tabs. Views hold their own local state; what several
// views need lives here.

import type {
  AddHostRequest,
  CaptureInfo,
  ErrorInfo,
  FdscopeBridge,
  HostInfo,
  Req,
  RequestName,
  Res,
  Result,
} from '../../../preload/contract';
import { openBridge } from '../lib/bridge';
import { frameCoalescer } from '../lib/frame-coalescer';
import type { LinkStatus } from '../lib/ws-bridge';
import { PromptQueue } from './prompts.svelte';

/** The tab shown: the process list, or one capture by id. */
export type TabId = 'processes' | string;

class AppState {
  bridge: FdscopeBridge;
  prompts: PromptQueue;
  link = $state<LinkStatus>({ connected: true, attempts: 0, retryAt: null });
  hosts = $state<HostInfo[]>([]);
  hostsError = $state<ErrorInfo | null>(null);
  hostId = $state<string | null>(null);
  captures = $state<Record<string, CaptureInfo>>({});
  /** Capture ids in the order their tabs show. */
  tabs = $state<string[]>([]);
  active = $state<TabId>('processes');
  /** Bumped when the link comes back, so views refetch what they show. */
  epoch = $state(0);
  /** Tabs the user closed: later updates of those captures must not reopen them. */
  private closed = new Set<string>();

  constructor() {
    const handle = openBridge();
    this.bridge = handle.bridge;
    this.prompts = new PromptQueue(this.bridge);
    // Only a link that was up, went down and came back is a reconnect; the
    // first connection is not, or views would reload as they mount.
    let wasUp = false;
    let everUp = false;
    handle.onStatus((s) => {
      this.link = s;
      if (s.connected && !wasUp && everUp) {
        this.epoch++;
        void this.loadCaptures();
      }
      wasUp = s.connected;
      everUp ||= s.connected;
    });
    const push = frameCoalescer<CaptureInfo>(
      (c) => c.id,
      (batch) => this.applyUpdates(batch),
    );
    this.bridge.on('capture:update', push);
  }

  /**
   * Sends a request; the result envelope is returned as is. The payload is
   * snapshotted because rune state is a Proxy, which structured clone (IPC)
   * refuses.
   */
  request<K extends RequestName>(name: K, req: Req<K>): Promise<Result<Res<K>>> {
    return this.bridge.request(name, $state.snapshot(req) as Req<K>);
  }

  async loadHosts(): Promise<void> {
    const r = await this.request('hosts:list', {});
    if (!r.ok) {
      this.hostsError = r.error;
      return;
    }
    this.hostsError = null;
    this.hosts = r.value;
    if (!this.hostId && r.value.length > 0) this.hostId = r.value[0].id;
  }

  /** Adds a host and selects it; returns the error, or null when it was added. */
  async addHost(req: AddHostRequest): Promise<ErrorInfo | null> {
    const r = await this.request('hosts:add', req);
    if (!r.ok) return r.error;
    await this.loadHosts();
    this.hostId = r.value.id;
    return null;
  }

  /** Forgets a host the user added; the engine refuses while a capture runs on it. */
  async removeHost(id: string): Promise<void> {
    const r = await this.request('hosts:remove', { id });
    this.hostsError = r.ok ? null : r.error;
    if (!r.ok) return;
    if (this.hostId === id) this.hostId = null;
    await this.loadHosts();
  }

  async loadCaptures(): Promise<void> {
    const r = await this.request('capture:list', {});
    if (!r.ok) return;
    this.applyUpdates(r.value);
  }

  /** Records a capture the user just started and shows its tab. */
  openCapture(info: CaptureInfo): void {
    this.closed.delete(info.id);
    this.applyUpdates([info]);
    this.active = info.id;
  }

  closeTab(id: string): void {
    const at = this.tabs.indexOf(id);
    this.closed.add(id);
    this.tabs = this.tabs.filter((t) => t !== id);
    if (this.active === id) this.active = this.tabs[Math.max(0, at - 1)] ?? 'processes';
  }

  private applyUpdates(batch: CaptureInfo[]): void {
    for (const info of batch) {
      if (this.closed.has(info.id)) continue;
      this.captures[info.id] = info;
      if (!this.tabs.includes(info.id)) this.tabs.push(info.id);
    }
  }
}

export const app = new AppState();
