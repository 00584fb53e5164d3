import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../main/app/menu';

const roles = (items: MenuItemConstructorOptions[]) =>
  items.flatMap((m) => (m.submenu as MenuItemConstructorOptions[]).map((i) => i.role ?? i.label));

describe('menuTemplate', () => {
  it('offers reload and developer tools only in development', () => {
    const actions = { exportCapture() {}, closeCapture() {}, quit() {}, about() {} };

    expect(roles(menuTemplate(actions, true))).toEqual(
      expect.arrayContaining(['reload', 'toggleDevTools']),
    );
    expect(roles(menuTemplate(actions, false))).not.toContain('reload');
    expect(roles(menuTemplate(actions, false))).not.toContain('toggleDevTools');
  });

  it('runs the actions of File and Help', () => {
    const called: string[] = [];
    const actions = {
      exportCapture: () => called.push('export'),
      closeCapture: () => called.push('close'),
      quit: () => called.push('quit'),
      about: () => called.push('about'),
    };

    for (const menu of menuTemplate(actions, false)) {
      for (const item of menu.submenu as MenuItemConstructorOptions[]) {
        (item.click as (() => void) | undefined)?.();
      }
    }

    expect(called).toEqual(['export', 'close', 'quit', 'about']);
  });
});
