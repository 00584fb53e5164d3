// Small clients for the server tests: raw HTTP requests (paths sent unnormalised)
// and WebSockets that speak the wire codec.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type WireMessage } from '../../preload/wire';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one GET with the path exactly as given. */
export function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it, or with the HTTP status that refused it. */
export function openSocket(
  port: number,
  options: { query?: string; origin?: string; cookie?: string } = {},
): Promise<WebSocket | number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${options.query ?? ''}`, {
    origin: options.origin,
    headers: options.cookie ? { Cookie: options.cookie } : {},
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The next message on a socket that satisfies a test, decoded. */
export function nextMessage(ws: WebSocket, test: (m: WireMessage) => boolean) {
  return new Promise<WireMessage>((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = decodeFrame(new Uint8Array(data));
      if (!test(message)) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

/** Sends a request and waits for its answer. */
export async function call(ws: WebSocket, seq: number, name: string, payload: unknown) {
  const answer = nextMessage(ws, (m) => m.kind === 'result' && m.seq === seq);
  ws.send(encodeFrame({ kind: 'request', seq, name, payload }));
  return answer;
}
