// The Electron app: one instance, one window, the engine behind IPC. The only
// code that imports electron; everything it does is wired from small modules.
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version } from '../../package.json';
import { IPC_EVENT_CHANNEL, type Events, type MenuCommand } from '../../preload/contract';
import { createEngine } from '../engine/create-engine';
import { ensureDataDir, resolveDataDir } from '../engine/data-dir';
import type { Engine } from '../engine/engine';
import { lineLogger } from '../engine/log';
import { rendererCsp } from '../server/security-headers';
import { registerIpc } from './ipc';
import { createRotatingLog } from './log-file';
import { menuTemplate } from './menu';
import { createMainWindow, hardenContents, hardenSession } from './window';
import { isTrustedUrl, rendererLocation } from './window-options';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const location = rendererLocation(
  app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  new URL('../renderer/index.html', import.meta.url).href,
);
const logs = createRotatingLog({ dir: join(app.getPath('userData'), 'logs') });
const logger = lineLogger(logs.write, location.dev ? 'debug' : 'info');

// Every renderer sandboxed, whatever a window's own options say.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  let window: BrowserWindow | null = null;
  let engine: Engine | null = null;
  let unregister: () => void = () => {};
  let closed = false;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, location, logger));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (closed || !engine) return;
    // Captures must detach before the process goes, or a tracee could stay stopped.
    event.preventDefault();
    unregister();
    const done = () => {
      closed = true;
      app.quit();
    };
    engine.close().then(done, (error: Error) => {
      logger.error('app', 'engine did not close cleanly', { error: error.message });
      done();
    });
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, rendererCsp(location.dev));
    const appDir = join(app.getPath('userData'), 'captures');
    engine = createEngine({ dataDir: ensureDataDir(resolveDataDir({ appDir })), logger });
    window = createMainWindow(preloadPath, location, logger);
    const send = (channel: string, name: string, payload: unknown) => {
      if (window && !window.isDestroyed()) window.webContents.send(channel, name, payload);
    };
    unregister = registerIpc(ipcMain, engine, {
      dialogs: {
        showSaveDialog: (options) =>
          window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options),
      },
      isTrustedSender: (url) => isTrustedUrl(url, location),
      send,
      logger,
    });
    // Menu commands act on the renderer's current capture, which only it knows.
    const command = (name: MenuCommand) =>
      send(IPC_EVENT_CHANNEL, 'menu:command', { command: name } satisfies Events['menu:command']);
    const actions = {
      exportCapture: () => command('export'),
      closeCapture: () => command('close-capture'),
      quit: () => app.quit(),
      about: () => app.showAboutPanel(),
    };
    app.setAboutPanelOptions({ applicationName: 'fdscope', applicationVersion: version });
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, location.dev)));
    window.on('closed', () => (window = null));
    logger.info('app', 'started', { version, renderer: location.url, log: logs.path });
  });
}
