// The main window and the rules every web contents of the app lives by.
import { BrowserWindow, type Session, type WebContents } from 'electron';
import type { Logger } from '../engine/log';
import { isTrustedUrl, webPreferences, type RendererLocation } from './window-options';

/** Applies the CSP to every response and refuses every permission request. */
export function hardenSession(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    // Drop any policy the response brought, so ours is the only one in force.
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** No new windows, no navigation away from our page, no webviews. */
export function hardenContents(
  contents: WebContents,
  location: RendererLocation,
  logger: Logger,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn('window', 'window.open denied', { url });
    return { action: 'deny' };
  });
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (isTrustedUrl(url, location)) return;
    event.preventDefault();
    logger.warn('window', 'navigation blocked', { url });
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Creates the window and loads the renderer into it. */
export function createMainWindow(
  preloadPath: string,
  location: RendererLocation,
  logger: Logger,
): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'fdscope',
    show: false,
    webPreferences: webPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(location.url).catch((error: Error) => {
    logger.error('window', 'renderer failed to load', { url: location.url, error: error.message });
  });
  return window;
}
