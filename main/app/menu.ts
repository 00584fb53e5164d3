// The application menu, built as a template from actions so tests can read it.
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu's items do; the app wires them to the window and the renderer. */
export interface MenuActions {
  exportCapture(): void;
  closeCapture(): void;
  quit(): void;
  about(): void;
}

/** The menu: File, View (developer items only in development), Help. */
export function menuTemplate(actions: MenuActions, dev: boolean): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = dev
    ? [{ role: 'reload' }, { role: 'toggleDevTools' }]
    : [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }];
  return [
    {
      label: '&File',
      submenu: [
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportCapture() },
        { label: 'Close capture', accelerator: 'CmdOrCtrl+W', click: () => actions.closeCapture() },
        { type: 'separator' },
        { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    { label: '&View', submenu: [...view, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { label: '&Help', submenu: [{ label: 'About fdscope', click: () => actions.about() }] },
  ];
}
