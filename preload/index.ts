// The sandboxed preload: exposes window.fdscope, the contract's bridge, and
// nothing else; the renderer never touches ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_REQUEST_CHANNEL,
  type FdscopeBridge,
  type Result,
} from './contract';

const bridge: FdscopeBridge = {
  mode: 'electron',
  request: (name, req) =>
    ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, req) as Promise<Result<never>>,
  on: (name, listener) => {
    // One IPC listener per subscription, filtered to its event; the IPC event
    // object (with its sender) never reaches the page.
    const forward = (_event: IpcRendererEvent, eventName: unknown, payload: unknown) => {
      if (eventName === name) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('fdscope', bridge);
