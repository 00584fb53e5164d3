// The renderer in a real Chromium against the fake bridge: the built UI is
// served from loopback and driven like a user would, with screenshots kept in
// /tmp/fdscope-shots for a person to look at.
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFakeBridge, type FakeHandle, type FakeOptions } from './fake-bridge';
import { FIXTURE_PROCESSES } from './fake-fixtures';
import { buildRenderer, launchChromium, serveRenderer, SHOTS } from './ui-harness';

let server: Server;
let browser: Browser;
let base = '';

async function open(options: Partial<FakeOptions> = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(8000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  (page as Page & { problems: string[] }).problems = problems;
  const full: FakeOptions = { autoTick: false, processes: FIXTURE_PROCESSES, ...options };
  await page.addInitScript(installFakeBridge, full);
  await page.goto(`${base}/index.html`);
  return page;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems: string[] }).problems;
}

async function startCapture(page: Page): Promise<void> {
  await page
    .locator('tr', { hasText: 'worker.py' })
    .getByRole('button', { name: 'Capture…' })
    .click();
  await page.getByRole('button', { name: 'Start capture' }).click();
  await page.locator('.raw-log .row').first().waitFor();
}

async function calls(page: Page): Promise<FakeHandle['calls']> {
  return page.evaluate(() => (window as unknown as { __fake: FakeHandle }).__fake.calls);
}

beforeAll(async () => {
  await buildRenderer();
  ({ server, base } = await serveRenderer());
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

describe('the renderer against a fake bridge', () => {
  it('lists processes, filters them and sorts by column', async () => {
    const page = await open();
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(7);
    await expect.poll(() => page.locator('aside').textContent()).toContain('This machine');
    await expect.poll(() => page.locator('tbody').textContent()).toContain('containerd-shim');
    const badge = page.locator('tr', { hasText: 'worker.py' }).locator('.container');
    expect(await badge.textContent()).toBe('pod · pid 1');
    expect((await badge.getAttribute('title'))?.split('\n')).toEqual([
      'container 3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f (containerd)',
      'Kubernetes pod 0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1',
      'pid 1 in its own pid namespace',
      expect.stringMatching(/^cgroup \/kubepods\.slice\/.*cri-containerd-3f4e2a1b9c8d/),
    ]);
    expect(await page.locator('.container').count()).toBe(1);
    const nginx = page.locator('tr', { hasText: 'nginx' });
    expect(await nginx.locator('.flag').allTextContents()).toEqual(['append', 'append']);
    const java = page.locator('tr', { hasText: 'billing.jar' });
    expect(await java.locator('.flag').allTextContents()).toEqual(['no append', 'no append']);
    expect(await java.locator('.flag').first().getAttribute('title')).toContain('hole of zero');
    await page.screenshot({ path: `${SHOTS}/01-processes.png` });

    await page.getByLabel('Search processes').fill('3f4e2a1b');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.textContent()).toContain('worker.py');

    await page.getByLabel('Search processes').fill('www-data');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Search processes').fill('/usr/bin/node');
    await expect.poll(() => rows.textContent()).toContain('server.js');
    await page.getByLabel('Search processes').fill('');
    await page.getByRole('button', { name: 'PID' }).click();
    await expect.poll(() => rows.first().locator('td').first().textContent()).toBe('6001');
    await page.getByRole('button', { name: 'User' }).click();
    await expect.poll(() => rows.first().locator('td').nth(1).textContent()).toBe('dev');

    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('adds a host, says why a wrapper is refused, and removes it', async () => {
    const page = await open();
    await page.getByRole('button', { name: '+ Add host…' }).click();
    await page.getByLabel('Command').check();
    await page.getByLabel('Wrapper command').fill('a && b');
    await page.getByRole('button', { name: 'Add host', exact: true }).click();
    await expect.poll(() => page.locator('dialog .error-box').textContent()).toContain('a shell');
    await page.getByLabel('Wrapper command').fill('kubectl exec -i web-7f9c -c app --');
    await page.getByLabel('Host name').fill('web pod');
    await page.screenshot({ path: `${SHOTS}/07-add-host.png` });
    await page.getByRole('button', { name: 'Add host', exact: true }).click();

    await expect.poll(() => page.locator('aside .host.active').textContent()).toContain('web pod');
    await page.getByRole('button', { name: 'Remove host web pod' }).click();
    await expect.poll(() => page.locator('aside').textContent()).not.toContain('web pod');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('shows a refused start with its reason and help', async () => {
    const page = await open();
    await page.locator('tr', { hasText: 'init splash' }).getByRole('button').click();
    await page.getByRole('button', { name: 'Start capture' }).click();
    const alert = page.locator('dialog .error-box');
    await expect.poll(() => alert.textContent()).toContain('unable to attach to pid 1');
    expect(await alert.textContent()).toContain('lacks CAP_SYS_PTRACE');
    expect(await alert.textContent()).toContain('run fdscope as root');
    await page.screenshot({ path: `${SHOTS}/02-start-error.png` });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog').count()).toBe(0);
    await page.close();
  });

  it('asks for consent, naming the reader, before reading a pipe', async () => {
    const page = await open();
    await page.locator('tr', { hasText: 'worker.py' }).getByRole('button').click();
    await page.getByLabel('Method').selectOption('pipe');
    const warning = page.locator('.pipe-warning');
    expect(await warning.textContent()).toContain('containerd-shim (pid 901)');
    const start = page.getByRole('button', { name: 'Start capture' });
    expect(await start.isDisabled()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/03-pipe-consent.png` });
    await warning.getByRole('checkbox').check();
    await start.click();
    await page.locator('.raw-log .row').first().waitFor();
    const req = (await calls(page)).find((c) => c.name === 'capture:start')?.req;
    expect(req).toMatchObject({ pid: 4312, fds: [1, 2], method: 'pipe', confirmPipe: true });
    await page.close();
  });

  it('renders the raw log the way a terminal would', async () => {
    const page = await open();
    await startCapture(page);
    expect(await page.locator('nav.tabs').textContent()).toContain('python3');
    const log = page.locator('.raw-log');

    const stderrRows = log.locator('.row.stderr');
    await expect.poll(() => stderrRows.count()).toBeGreaterThan(3);
    expect(await log.locator('.row.stdout').count()).toBeGreaterThan(0);
    expect(await stderrRows.first().locator('.tag').textContent()).toBe('err');

    const progress = log.locator('.row', { hasText: 'downloading model' });
    expect(await progress.locator('.text').textContent()).toBe(
      `downloading model 100% ${'█'.repeat(20)} done`,
    );
    const box = log.locator('.row', { hasText: 'box ' });
    expect(await box.locator('.text').textContent()).toBe(`box ${'─'.repeat(30)} end`);
    const bad = log.locator('.row', { hasText: 'bad bytes' });
    expect(await bad.locator('.invalid').textContent()).toBe('\\xFF');
    expect(await log.textContent()).not.toContain('\uFFFD');

    const error = log.locator('.row', { hasText: 'ERROR' }).locator('.text span').first();
    expect(await error.textContent()).toBe('ERROR');
    expect(await error.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(224, 108, 117)');
    expect(await error.evaluate((e) => getComputedStyle(e).fontWeight)).toBe('700');
    const timeout = log
      .locator('.row', { hasText: 'ERROR' })
      .locator('span', { hasText: /^timeout$/ });
    expect(await timeout.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 135, 0)');
    const ms = log.locator('.row', { hasText: 'ERROR' }).locator('span', { hasText: /^5000 ms$/ });
    expect(await ms.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(120, 200, 255)');

    const long = log.locator('.row', { hasText: 'LONG abcdefghij' });
    expect(await long.locator('.more').textContent()).toMatch(/… [\d,]+ more bytes/);
    await page.screenshot({ path: `${SHOTS}/04-capture.png` });
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('draws the timeline and focuses the raw log on a clicked write', async () => {
    const page = await open();
    await startCapture(page);
    const canvas = page.locator('.timeline canvas');
    await expect
      .poll(() =>
        canvas.evaluate((c: HTMLCanvasElement) => {
          const ctx = c.getContext('2d') as CanvasRenderingContext2D;
          const px = ctx.getImageData(0, 0, c.width, c.height).data;
          let blue = 0;
          for (let i = 0; i < px.length; i += 4) {
            if (px[i] < 140 && px[i + 2] > 200 && px[i + 1] > 140) blue++;
          }
          return blue;
        }),
      )
      .toBeGreaterThan(50);

    const box = (await canvas.boundingBox())!;
    const writes = await page.evaluate(() => {
      const f = (window as unknown as { __fake: FakeHandle }).__fake;
      return f.calls.filter((c) => c.name === 'capture:timeline').length;
    });
    expect(writes).toBeGreaterThan(0);
    await page.mouse.move(box.x + box.width * 0.5, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5 + 1, box.y + 60);
    await page.mouse.up();
    await expect
      .poll(async () => (await calls(page)).some((c) => c.name === 'capture:line-at'))
      .toBe(true);
    await expect.poll(() => page.locator('.raw-log .row.focused').count()).toBe(1);
    expect(await page.locator('.raw-log .resume').count()).toBe(1);

    const tip = page.getByRole('tooltip');
    for (let x = 70; x < box.width - 12 && (await tip.count()) === 0; x += 3) {
      await page.mouse.move(box.x + x, box.y + 40);
    }
    expect(await tip.textContent()).toMatch(/stdout.*pid 4312/s);
    await page.screenshot({ path: `${SHOTS}/05a-timeline-tooltip.png` });

    // Between the lanes only notices answer the pointer: the fd move is marked at its time.
    let said = '';
    for (let x = 50; x < box.width - 12 && !said.includes('pipe:[88240]'); x += 3) {
      await page.mouse.move(box.x + x, box.y + 86);
      said = (await tip.count()) > 0 ? ((await tip.textContent()) ?? '') : '';
    }
    expect(said.replace(/\s+/g, ' ').trim()).toMatch(
      /^warning fd 1 now points to pipe:\[88240\] [\d:.]+$/,
    );
    await page.screenshot({ path: `${SHOTS}/05b-timeline-notice.png` });

    await canvas.hover({ position: { x: 300, y: 60 } });
    await page.mouse.wheel(0, -400);
    await expect.poll(() => page.locator('.timeline .badge.ok').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/05-timeline-zoomed.png` });
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator('.timeline .badge.ok').count()).toBe(1);
    await page.close();
  });

  it('follows new lines, pauses when scrolled up and searches', async () => {
    const page = await open();
    await startCapture(page);
    const total = async (): Promise<string | null> => page.locator('.raw-log .count').textContent();
    const before = await total();
    await page.evaluate(() => (window as unknown as { __fake: FakeHandle }).__fake.tick());
    await expect.poll(total).not.toBe(before);
    await expect
      .poll(() => page.locator('.raw-log .row', { hasText: 'heartbeat' }).count())
      .toBe(1);

    await page.keyboard.press('Control+f');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Search log',
    );
    await page.keyboard.type('job=42 ');
    await page.keyboard.press('Enter');
    const hitRow = page.locator('.raw-log .row.focused');
    await expect.poll(() => hitRow.textContent()).toContain('job=42 ');
    expect(await hitRow.locator('.hit').textContent()).toBe('job=42 ');
    expect(await page.locator('.raw-log .resume').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/06-search.png` });
    await page.getByRole('button', { name: '▼ Follow new lines' }).click();
    await expect.poll(() => page.locator('.raw-log .follow').count()).toBe(1);
    await page.close();
  });

  it('exports with the chosen format, streams and path', async () => {
    const page = await open({ mode: 'electron' });
    await startCapture(page);
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByLabel('JSON Lines').check();
    await page.locator('dialog label', { hasText: 'stdout' }).getByRole('checkbox').uncheck();
    const path = page.getByLabel('Destination path');
    await expect.poll(() => path.inputValue()).toBe('/home/dev/fdscope/worker-4312-2.jsonl');
    await page.getByRole('button', { name: 'Browse…' }).click();
    await expect.poll(() => path.inputValue()).toBe('/home/dev/chosen.txt');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect
      .poll(() => page.locator('dialog .done').textContent())
      .toContain('/home/dev/chosen.txt');
    const req = (await calls(page)).find((c) => c.name === 'capture:export')?.req;
    expect(req).toEqual({ id: 'cap-1', format: 'jsonl', fds: [2], path: '/home/dev/chosen.txt' });
    await page.screenshot({ path: `${SHOTS}/07-export.png` });

    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.locator('dialog .error-box').textContent()).toContain('exists');
    await page.getByRole('button', { name: 'Replace the file' }).click();
    await expect.poll(() => page.locator('dialog .done').count()).toBe(1);
    const last = (await calls(page)).filter((c) => c.name === 'capture:export').pop()?.req;
    expect(last).toMatchObject({ path: '/home/dev/chosen.txt', overwrite: true });

    await path.fill('/nope/x.jsonl');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect
      .poll(() => page.locator('dialog .error-box').textContent())
      .toContain('no such directory');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog').count()).toBe(0);
    await page.close();
  });

  it('stays responsive and fetches little under a flood of updates', async () => {
    const page = await open();
    await startCapture(page);
    const before = (await calls(page)).filter((c) => c.name === 'capture:lines').length;
    await page.evaluate(() =>
      (window as unknown as { __fake: FakeHandle }).__fake.flood(100_000, 2_000),
    );
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.locator('dialog').waitFor();
    expect(Date.now() - t0).toBeLessThan(1500);
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.locator('.raw-log .row', { hasText: 'flood 1999.' }).count())
      .toBeGreaterThan(0);
    const fetched = (await calls(page)).filter((c) => c.name === 'capture:lines').length - before;
    expect(fetched).toBeLessThan(30);
    expect(await page.locator('.raw-log .row').count()).toBeLessThan(120);
    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect.poll(() => page.locator('header .state').textContent()).toBe('ended');
    await page.screenshot({ path: `${SHOTS}/08-flood-stopped.png` });
    await page.close();
  });
});
