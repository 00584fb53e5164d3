import { describe, expect, it } from 'vitest';
import { isTrustedUrl, rendererLocation, webPreferences } from '../../main/app/window-options';

const FILE = 'file:///opt/fdscope/resources/app.asar/out/renderer/index.html';

describe('webPreferences', () => {
  it('sandboxes the renderer with context isolation and no Node', () => {
    const prefs = webPreferences('/opt/fdscope/out/preload/index.cjs');

    expect(prefs).toMatchObject({
      preload: '/opt/fdscope/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('rendererLocation', () => {
  it('loads the built page unless a loopback dev server is named', () => {
    expect(rendererLocation(undefined, FILE)).toEqual({ url: FILE, dev: false });
    expect(rendererLocation('http://localhost:5173', FILE)).toEqual({
      url: 'http://localhost:5173',
      dev: true,
    });
    expect(rendererLocation('https://evil.example/', FILE)).toEqual({ url: FILE, dev: false });
  });
});

describe('isTrustedUrl', () => {
  it('trusts our own page, with any hash or query', () => {
    const location = { url: FILE, dev: false };

    expect(isTrustedUrl(FILE, location)).toBe(true);
    expect(isTrustedUrl(FILE + '#/capture/c1', location)).toBe(true);
  });

  it('distrusts other files, other schemes and junk', () => {
    const location = { url: FILE, dev: false };

    expect(isTrustedUrl('file:///tmp/evil.html', location)).toBe(false);
    expect(isTrustedUrl('https://evil.example/index.html', location)).toBe(false);
    expect(isTrustedUrl('not a url', location)).toBe(false);
    expect(isTrustedUrl('file://host' + new URL(FILE).pathname, location)).toBe(false);
  });

  it("trusts only the dev server's origin in development", () => {
    const location = { url: 'http://localhost:5173/', dev: true };

    expect(isTrustedUrl('http://localhost:5173/index.html', location)).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', location)).toBe(false);
  });
});
