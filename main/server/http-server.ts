// The browser mode: the renderer and the contract served on loopback only,
// every request guarded by the server's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { EngineApi } from '../../preload/contract';
import { silentLogger, type Logger } from '../engine/log';
import { admit, createToken, hostAllowed, originAllowed, tokenCookie } from './auth';
import { securityHeaders } from './security-headers';
import { resolveStaticPath, sendFile } from './static-files';
import { runSession } from './ws-session';

export interface ServerOptions {
  engine: EngineApi;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0, the default, takes any free port. */
  port?: number;
  /** A fixed token, for tests; otherwise a random one. */
  token?: string;
  logger?: Logger;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  /** Closes every connection and the listening socket; the engine stays open. */
  close(): Promise<void>;
}

/** The only address the browser mode listens on. */
export const LOOPBACK = '127.0.0.1';

/** Largest request frame accepted: requests are small, answers are what carry bytes. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** Starts the browser mode's server on 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger;
  const token = options.token ?? createToken();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const server = createServer();
  let port = 0;

  server.on('request', (request, response) => {
    serveHttp(request, response, { rendererDir: options.rendererDir, token, port, logger });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const refusal = checkUpgrade(request, port, token);
    if (refusal) {
      logger.warn('server', 'websocket refused', {
        status: refusal,
        origin: request.headers.origin,
      });
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      runSession(ws, { engine: options.engine, logger });
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  port = await listen(server, options.port ?? 0);
  const url = `http://${LOOPBACK}:${port}/?token=${token}`;
  logger.info('server', 'listening', { port });

  return {
    url,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

interface HttpContext {
  rendererDir: string;
  token: string;
  port: number;
  logger: Logger;
}

function serveHttp(request: IncomingMessage, response: ServerResponse, ctx: HttpContext): void {
  const url = new URL(request.url ?? '/', `http://${LOOPBACK}`);
  const admission = admit(request, url, ctx.port, ctx.token);
  if (admission === null) return plain(response, 401, 'a valid token is required');
  // A foreign Host means a DNS-rebound name: the page's origin would not be ours.
  if (!hostAllowed(request, ctx.port)) return plain(response, 403, 'unknown host');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return plain(response, 405, 'only GET and HEAD');
  }

  const headers = securityHeaders();
  if (admission === 'query') headers['Set-Cookie'] = tokenCookie(ctx.port, ctx.token);
  const path = resolveStaticPath(ctx.rendererDir, url.pathname);
  if (path === null) return plain(response, 404, 'not found');
  sendFile(response, path, headers, request.method === 'HEAD');
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(text + '\n');
}

function checkUpgrade(request: IncomingMessage, port: number, token: string): number | null {
  const url = new URL(request.url ?? '/', `http://${LOOPBACK}`);
  if (url.pathname !== '/ws') return 404;
  if (admit(request, url, port, token) === null) return 401;
  if (!hostAllowed(request, port)) return 403;
  // A token in a cookie travels with any page's request: only our own pages may use it.
  if (!originAllowed(request, port)) return 403;
  return null;
}

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function refuseUpgrade(socket: Socket, status: number): void {
  const body = `${REASONS[status]}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
}
