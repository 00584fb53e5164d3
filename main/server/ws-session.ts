// One browser tab's WebSocket: requests in, answers and events out, with the
// same validation as Electron's IPC and a bound on what waits to be sent.
import type { WebSocket, RawData } from 'ws';
import type {
  CaptureInfo,
  EngineApi,
  ErrorInfo,
  RequestName,
  Result,
} from '../../preload/contract';
import { validateRequest } from '../../preload/validate';
import { decodeFrame, encodeFrame, type WireReply } from '../../preload/wire';
import { FdscopeError, toErrorInfo } from '../engine/errors';
import type { Logger } from '../engine/log';

export interface SessionOptions {
  engine: EngineApi;
  logger: Logger;
  /** Bytes waiting in the socket above which updates are held and coalesced. */
  highWaterMark?: number;
  /** Requests one socket may have unanswered at once. */
  maxInFlight?: number;
}

/** The seq of answers to frames too broken to carry one. */
export const NO_SEQ = -1;

const RETRY_MS = 25;

/** Serves one WebSocket until it closes. */
export function runSession(socket: WebSocket, options: SessionOptions): void {
  const { engine, logger } = options;
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 64;
  // The latest update per capture: a slow tab skips updates, it never queues them.
  const pending = new Map<string, CaptureInfo>();
  let retry: NodeJS.Timeout | null = null;
  let inFlight = 0;

  const send = (reply: WireReply): void => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(encodeFrame(reply), { binary: true });
  };
  const answer = (seq: number, result: Result<unknown>): void =>
    send({ kind: 'result', seq, result });

  const flush = (): void => {
    retry = null;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > highWaterMark) {
      retry = setTimeout(flush, RETRY_MS);
      return;
    }
    for (const info of pending.values()) {
      send({ kind: 'event', name: 'capture:update', payload: info });
    }
    pending.clear();
  };
  const unsubscribes = [
    engine.on('capture:update', (info) => {
      pending.set(info.id, info);
      if (retry === null) flush();
    }),
    // Prompts are few and each one matters: sent at once, never skipped like updates.
    engine.on('prompt:ask', (prompt) =>
      send({ kind: 'event', name: 'prompt:ask', payload: prompt }),
    ),
    engine.on('prompt:closed', (done) =>
      send({ kind: 'event', name: 'prompt:closed', payload: done }),
    ),
  ];

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const request = parse(data, isBinary);
    if ('error' in request) {
      logger.warn('server', 'malformed frame refused', { reason: request.error.reason });
      answer(request.seq, { ok: false, error: request.error });
      return;
    }
    if (inFlight >= maxInFlight) {
      answer(request.seq, { ok: false, error: busy(maxInFlight) });
      return;
    }
    inFlight++;
    void serve(engine, request.name, request.payload).then((result) => {
      inFlight--;
      answer(request.seq, result);
    });
  });
  socket.on('error', (error) => logger.warn('server', 'websocket error', { error: error.message }));
  socket.on('close', () => {
    unsubscribes.forEach((unsubscribe) => unsubscribe());
    if (retry !== null) clearTimeout(retry);
    pending.clear();
  });
}

type Parsed = { seq: number; name: string; payload: unknown } | { seq: number; error: ErrorInfo };

function parse(data: RawData, isBinary: boolean): Parsed {
  if (!isBinary) return malformed(NO_SEQ, 'expected a binary frame, got text');
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  let message: unknown;
  try {
    message = decodeFrame(bytes);
  } catch (error) {
    return malformed(NO_SEQ, error instanceof Error ? error.message : String(error));
  }
  if (typeof message !== 'object' || message === null) {
    return malformed(NO_SEQ, 'expected an object');
  }
  const { kind, seq, name, payload } = message as Record<string, unknown>;
  const validSeq = Number.isSafeInteger(seq) && (seq as number) >= 0;
  if (!validSeq) return malformed(NO_SEQ, 'expected a whole number seq');
  if (kind !== 'request') return malformed(seq as number, 'expected kind "request"');
  if (typeof name !== 'string') return malformed(seq as number, 'expected a request name');
  return { seq: seq as number, name, payload };
}

function malformed(seq: number, reason: string): Parsed {
  return { seq, error: { code: 'bad-request', message: 'malformed frame', reason } };
}

function busy(max: number): ErrorInfo {
  return {
    code: 'bad-request',
    message: 'too many requests at once',
    reason: `${max} requests are still unanswered on this connection`,
  };
}

async function serve(engine: EngineApi, name: string, payload: unknown): Promise<Result<unknown>> {
  try {
    if (name === 'dialog:save-path') throw noDialogs();
    // validateRequest refuses unknown names, so the cast only names what it checks.
    const valid = validateRequest(name as RequestName, payload);
    return { ok: true, value: await engine.handle(name as RequestName, valid) };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}

function noDialogs(): FdscopeError {
  return new FdscopeError('not-supported', 'unable to open a save dialog', {
    reason: 'the browser mode has no native dialogs',
    help: 'type the path of the file to write',
  });
}
