// The window's settings and the rules on what it may load, as pure functions
// so tests can check them without Electron.
import type { WebPreferences } from 'electron';

/** The renderer's sandbox: no Node, isolated preload, nothing that loosens either. */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Where the renderer is loaded from: the built file, or the dev server in development. */
export interface RendererLocation {
  url: string;
  dev: boolean;
}

/** The dev server when electron-vite dev says so (ELECTRON_RENDERER_URL), else the built page. */
export function rendererLocation(
  devUrl: string | undefined,
  indexFileUrl: string,
): RendererLocation {
  if (devUrl && /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(devUrl + '/')) {
    return { url: devUrl, dev: true };
  }
  return { url: indexFileUrl, dev: false };
}

/**
 * Whether a URL is the app's own page: the same file (any query or hash), or
 * the same origin as the dev server. Everything else is foreign.
 */
export function isTrustedUrl(url: string, location: RendererLocation): boolean {
  let candidate: URL;
  let own: URL;
  try {
    candidate = new URL(url);
    own = new URL(location.url);
  } catch {
    return false;
  }
  if (location.dev) return candidate.origin === own.origin;
  return candidate.protocol === 'file:' && candidate.pathname === own.pathname && !candidate.host;
}
