// Electron IPC for the renderer: every request checked for its sender and its
// payload, answered in a Result envelope; engine events forwarded, rate-limited.
// It takes interfaces, not electron's objects, so tests can pass fakes.
import {
  IPC_EVENT_CHANNEL,
  IPC_REQUEST_CHANNEL,
  type EngineApi,
  type RequestName,
  type Result,
} from '../../preload/contract';
import { validateRequest } from '../../preload/validate';
import { FdscopeError, toErrorInfo } from '../engine/errors';
import { silentLogger, type Logger } from '../engine/log';
import { Coalescer, type Timers } from './coalesce';

/** The frame a request came from, as much of WebFrameMain as the check needs. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** As much of IpcMainInvokeEvent as the check needs. */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

/** As much of ipcMain as registerIpc uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The native save dialog, as dialog.showSaveDialog answers. */
export interface SaveDialogLike {
  showSaveDialog(options: {
    defaultPath: string;
  }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface IpcDeps {
  dialogs: SaveDialogLike;
  /** Whether a frame URL is the app's own page. */
  isTrustedSender(frameUrl: string): boolean;
  /** webContents.send of the window. */
  send(channel: string, name: string, payload: unknown): void;
  logger?: Logger;
  timers?: Timers;
}

/** Updates per capture per second, at most, that reach the renderer. */
export const MAX_UPDATES_PER_SECOND = 20;

/** Registers the request handler and the event forwarding; returns what undoes both. */
export function registerIpc(ipc: IpcMainLike, engine: EngineApi, deps: IpcDeps): () => void {
  const logger = deps.logger ?? silentLogger;
  const updates = new Coalescer(
    1000 / MAX_UPDATES_PER_SECOND,
    (info: unknown) => deps.send(IPC_EVENT_CHANNEL, 'capture:update', info),
    deps.timers,
  );
  // Prompts are rare and each one matters: they go through at once, never coalesced.
  const unsubscribes = [
    engine.on('capture:update', (info) => updates.push(info.id, info)),
    engine.on('prompt:ask', (prompt) => deps.send(IPC_EVENT_CHANNEL, 'prompt:ask', prompt)),
    engine.on('prompt:closed', (done) => deps.send(IPC_EVENT_CHANNEL, 'prompt:closed', done)),
  ];

  ipc.handle(IPC_REQUEST_CHANNEL, async (event, name, payload): Promise<Result<unknown>> => {
    const frame = event.senderFrame;
    // Only our page's main frame may ask: never an iframe or a page navigated elsewhere.
    if (!frame || frame.parent !== null || !deps.isTrustedSender(frame.url)) {
      logger.warn('ipc', 'request refused: untrusted sender', {
        url: frame?.url ?? null,
        subframe: frame ? frame.parent !== null : null,
        name: typeof name === 'string' ? name.slice(0, 64) : typeof name,
      });
      return { ok: false, error: refused() };
    }
    try {
      // validateRequest refuses unknown names, so the cast only names what it checks.
      const request = validateRequest(name as RequestName, payload);
      if (name === 'dialog:save-path') {
        const { defaultPath } = request as { defaultPath: string };
        const answer = await deps.dialogs.showSaveDialog({ defaultPath });
        return { ok: true, value: { path: answer.canceled ? null : (answer.filePath ?? null) } };
      }
      return { ok: true, value: await engine.handle(name as RequestName, request) };
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'bad-request')
        logger.warn('ipc', 'invalid request', { reason: info.reason });
      return { ok: false, error: info };
    }
  });

  return () => {
    ipc.removeHandler(IPC_REQUEST_CHANNEL);
    unsubscribes.forEach((unsubscribe) => unsubscribe());
    updates.dispose();
  };
}

function refused() {
  return new FdscopeError('bad-request', 'request refused', {
    reason: 'it did not come from the fdscope window',
  }).toInfo();
}
