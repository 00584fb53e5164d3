// Serves the built renderer from one folder, and nothing outside it.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The MIME type for a file name; unknown kinds are served as opaque bytes. */
export function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside root, or null when it names nothing there:
 * undecodable, NUL, a way out through "..", or a symlink that leads outside.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded === '/' || decoded === '') decoded = '/index.html';

  const base = resolve(root);
  const candidate = resolve(base, '.' + decoded);
  if (!inside(base, candidate)) return null;
  try {
    const real = realpathSync(candidate);
    if (!inside(realpathSync(base), real)) return null;
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

function inside(base: string, path: string): boolean {
  return path.startsWith(base.endsWith(sep) ? base : base + sep);
}

/** Streams a file found by resolveStaticPath, with its type and caching rule. */
export function sendFile(
  response: ServerResponse,
  path: string,
  headers: Record<string, string>,
  headOnly: boolean,
): void {
  const size = statSync(path).size;
  response.writeHead(200, {
    ...headers,
    'Content-Type': mimeType(path),
    'Content-Length': String(size),
    // index.html names the hashed assets of one build: always fetch it anew.
    'Cache-Control': path.endsWith('.html') ? 'no-store' : 'no-cache',
  });
  if (headOnly) {
    response.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}
