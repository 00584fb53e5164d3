// The renderer's Content-Security-Policy and the headers every response of the
// browser mode carries. The Electron window applies the same policy.

/** The CSP the renderer runs under, the same as renderer/index.html's meta tag. */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The CSP for the Electron window; in development the Vite dev server injects
 * styles from script and talks to its own WebSocket, so those two are allowed.
 */
export function rendererCsp(dev: boolean): string {
  if (!dev) return RENDERER_CSP;
  return RENDERER_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    "connect-src 'self' ws://localhost:* ws://127.0.0.1:*",
  );
}

/** Headers for every response of the browser mode, errors included. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The first URL carries the token: never hand it to another site.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
