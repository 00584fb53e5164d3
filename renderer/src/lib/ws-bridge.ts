// The browser mode's bridge: the contract over one WebSocket in wire.ts
// frames, reconnecting with backoff. Requests made while the link is down
// wait for it; requests lost with the link fail with an 'io' error.

import type {
  EventName,
  Events,
  FdscopeBridge,
  Req,
  RequestName,
  Res,
  Result,
} from '../../../preload/contract';
import { decodeFrame, encodeFrame, type WireMessage } from '../../../preload/wire';

export interface LinkStatus {
  connected: boolean;
  /** Failed attempts since the link was last up. */
  attempts: number;
  /** When the next attempt is due (ms since the epoch), while down. */
  retryAt: number | null;
}

export interface WsBridge extends FdscopeBridge {
  onStatus(listener: (status: LinkStatus) => void): () => void;
  /** Closes the socket and stops reconnecting. */
  close(): void;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;

type Pending = { frame: Uint8Array; resolve: (r: Result<unknown>) => void; sent: boolean };

/** The URL of the server's socket for this page, carrying the page's token. */
export function socketUrl(location: Location): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.search).get('token');
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${proto}//${location.host}/ws${query}`;
}

/** Opens the bridge; it connects at once and keeps reconnecting until closed. */
export function createWsBridge(url: string): WsBridge {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(s: LinkStatus) => void>();
  let status: LinkStatus = { connected: false, attempts: 0, retryAt: null };
  let socket: WebSocket | null = null;
  let seq = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (next: LinkStatus): void => {
    status = next;
    for (const l of statusListeners) l(status);
  };

  const send = (id: number, p: Pending): void => {
    if (socket?.readyState !== WebSocket.OPEN) return;
    // encodeFrame allocates a fresh ArrayBuffer, never a shared one.
    socket.send(p.frame as Uint8Array<ArrayBuffer>);
    p.sent = true;
    pending.set(id, p);
  };

  const onMessage = (ev: MessageEvent): void => {
    let msg: WireMessage;
    try {
      msg = decodeFrame(new Uint8Array(ev.data as ArrayBuffer));
    } catch {
      return;
    }
    if (msg.kind === 'result') {
      const p = pending.get(msg.seq);
      pending.delete(msg.seq);
      p?.resolve(msg.result as Result<unknown>);
    } else if (msg.kind === 'event') {
      for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
    }
  };

  const connect = (): void => {
    if (closed) return;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onopen = () => {
      setStatus({ connected: true, attempts: 0, retryAt: null });
      for (const [id, p] of pending) if (!p.sent) send(id, p);
    };
    ws.onmessage = onMessage;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failSent();
      if (closed) return;
      const attempts = status.attempts + 1;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempts - 1));
      const jittered = delay * (0.75 + Math.random() * 0.5);
      setStatus({ connected: false, attempts, retryAt: Date.now() + jittered });
      timer = setTimeout(connect, jittered);
    };
  };

  /** Requests already on the wire cannot be answered by a new connection. */
  const failSent = (): void => {
    for (const [id, p] of pending) {
      if (!p.sent) continue;
      pending.delete(id);
      p.resolve({
        ok: false,
        error: {
          code: 'io',
          message: 'connection to fdscope lost',
          reason: 'the WebSocket closed before the answer came',
          help: 'the request can be repeated once the connection is back',
        },
      });
    }
  };

  connect();

  return {
    mode: 'browser',
    request<K extends RequestName>(name: K, req: Req<K>): Promise<Result<Res<K>>> {
      const id = ++seq;
      const frame = encodeFrame({ kind: 'request', seq: id, name, payload: req });
      return new Promise((resolve) => {
        const p: Pending = { frame, resolve: resolve as Pending['resolve'], sent: false };
        pending.set(id, p);
        send(id, p);
      });
    },
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
