// Where the renderer's FdscopeBridge comes from: Electron's preload puts one
// on window.fdscope; in the browser mode there is none, and we speak the same
// contract over the server's WebSocket.

import type { FdscopeBridge } from '../../../preload/contract';
import { createWsBridge, socketUrl, type LinkStatus } from './ws-bridge';

declare global {
  interface Window {
    fdscope?: FdscopeBridge;
  }
}

export interface BridgeHandle {
  bridge: FdscopeBridge;
  /** Link state; the preload's IPC link is always up. */
  onStatus(listener: (status: LinkStatus) => void): () => void;
}

/** The bridge for this page, chosen once at start-up. */
export function openBridge(): BridgeHandle {
  const exposed = window.fdscope;
  if (exposed) {
    return {
      bridge: exposed,
      onStatus(listener) {
        listener({ connected: true, attempts: 0, retryAt: null });
        return () => undefined;
      },
    };
  }
  const ws = createWsBridge(socketUrl(window.location));
  return { bridge: ws, onStatus: (listener) => ws.onStatus(listener) };
}
