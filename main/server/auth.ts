// The browser mode's guard: one random token per server, accepted from the URL
// once and then from an HttpOnly cookie, always compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Bytes of randomness in a token (base64url makes 43 characters of 32 bytes). */
export const TOKEN_BYTES = 32;

/** A fresh random token, base64url. */
export function createToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether a candidate equals the token, in time that does not depend on where they differ. */
export function tokenMatches(token: string, candidate: string | null | undefined): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0) return false;
  // Hashing first gives equal lengths, so timingSafeEqual never throws and the
  // comparison leaks neither the token's length nor a matching prefix.
  const a = createHash('sha256').update(token).digest();
  const b = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(a, b);
}

/**
 * The cookie's name carries the port: cookies are not isolated by port, so two
 * servers on one machine would otherwise overwrite each other's token.
 */
export function cookieName(port: number): string {
  return `fdscope_token_${port}`;
}

/** The Set-Cookie value that lets the page's later requests (and its WebSocket) in. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The token a request carries in its query string, or null. */
export function queryToken(url: URL): string | null {
  return url.searchParams.get('token');
}

/** The token a request carries in its cookie, or null. */
export function cookieToken(request: IncomingMessage, port: number): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  const name = cookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** How a request proved itself: by the query token, the cookie, or not at all. */
export type Admission = 'query' | 'cookie' | null;

/** Checks a request's token, from the query string first, then the cookie. */
export function admit(request: IncomingMessage, url: URL, port: number, token: string): Admission {
  if (tokenMatches(token, queryToken(url))) return 'query';
  if (tokenMatches(token, cookieToken(request, port))) return 'cookie';
  return null;
}

/** The origins a page served by this server has: the two loopback names of its port. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Whether the Host header names this server (guards against DNS rebinding). */
export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Whether a WebSocket upgrade comes from a page of this server. */
export function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  return typeof origin === 'string' && ownOrigins(port).includes(origin);
}
