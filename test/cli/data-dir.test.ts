import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../main/engine/data-dir';

describe('resolveDataDir', () => {
  it('prefers $FDSCOPE_DATA_DIR over everything', () => {
    const env = { FDSCOPE_DATA_DIR: '/d', XDG_DATA_HOME: '/x' };

    expect(resolveDataDir({ env, home: '/h', appDir: '/app' })).toBe('/d');
  });

  it("uses the app's folder, then $XDG_DATA_HOME/fdscope, then ~/.local/share/fdscope", () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/x' }, appDir: '/app' })).toBe('/app');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/x' }, home: '/h' })).toBe('/x/fdscope');
    expect(resolveDataDir({ env: {}, home: '/h' })).toBe('/h/.local/share/fdscope');
  });

  it('ignores a relative $XDG_DATA_HOME, as the XDG spec asks', () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'rel' }, home: '/h' })).toBe(
      '/h/.local/share/fdscope',
    );
  });
});
