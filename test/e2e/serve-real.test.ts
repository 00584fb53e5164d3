// The whole job end to end, as a user does it: `fdscope serve`, the real UI in
// Chromium, a real block-buffered Python writer on a pipe, strace, an export.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pythonPath,
  procStatus,
  startWriter,
  stopAllWriters,
  type Writer,
} from '../helpers/writers';
import { startServe, openPage, type Served } from './serve-harness';
import { launchChromium, SHOTS } from './ui-harness';

// A numbered 100-byte line every 10 ms, and a line on stderr every 0.5 s.
// stdout is block-buffered: the writer's environment has no PYTHONUNBUFFERED.
const WORKER = `
import sys, time
i = 0
while True:
    line = "%06d %.6f job ok queue=%s " % (i, time.time(), sys.argv[2])
    sys.stdout.write(line + "x" * (99 - len(line)) + "\\n")
    if i % 50 == 0:
        sys.stderr.write("progress %d\\n" % i)
    i += 1
    time.sleep(0.01)
`;

let served: Served;
let browser: Browser;
let writer: Writer;
let outDir: string;
const marker = `e2e-${process.pid}`;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'fdscope-e2e-out-'));
  // A script file, so the process list shows what a user's own worker looks like.
  const script = join(outDir, 'worker.py');
  writeFileSync(script, WORKER);
  writer = await startWriter({
    language: 'shell',
    source: `exec "${pythonPath()}" "${script}" --queue "$1"`,
    args: [marker],
  });
  served = await startServe();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await stopAllWriters();
  rmSync(outDir, { recursive: true, force: true });
});

describe('fdscope serve in Chromium, on a real process', () => {
  it('captures a buffered writer found in the list and exports it exactly', async () => {
    const { page, problems } = await openPage(browser, served.url);
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(5);
    await page.screenshot({ path: `${SHOTS}/real-00-all-processes.png` });
    await page.getByLabel('Search processes').fill(marker);
    // The marker is on the writer's command line and on its relay's: pick the writer by pid.
    const pidCell = page.locator('td:first-child', { hasText: new RegExp(`^${writer.pid}$`) });
    const row = page.locator('tbody tr', { hasText: marker }).filter({ has: pidCell });
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toMatch(/pipe\s*pipe:\[\d+\].*read by python3/);
    await page.screenshot({ path: `${SHOTS}/real-01-processes.png` });

    await row.getByRole('button', { name: 'Capture…' }).click();
    await page.getByLabel('both').check();
    await page.getByRole('button', { name: 'Start capture' }).click();
    // Block writes of ~8 KiB come about every 0.8 s; wait for a few of them.
    const count = page.locator('.raw-log .count');
    const lineCount = async () => Number((await count.textContent())!.replace(/\D/g, ''));
    await expect.poll(lineCount, { timeout: 30_000 }).toBeGreaterThan(150);
    await expect
      .poll(() => page.locator('.raw-log .row', { hasText: `queue=${marker}` }).count())
      .toBeGreaterThan(10);
    await expect
      .poll(() => page.locator('.raw-log').textContent(), { timeout: 15_000 })
      .toContain('progress');
    const timelineHeader = page.getByText(/\d+ writes in view/);
    await expect
      .poll(async () => Number((await timelineHeader.textContent())!.split(' ')[0]))
      .toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => page.getByText(/block-buffered: \d+-byte writes/).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/real-02-capture.png` });

    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByText(/stopped by user/).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByLabel('Raw bytes').check();
    await page.locator('dialog label', { hasText: 'stdout' }).getByRole('radio').check();
    const path = join(outDir, 'stdout.bin');
    await page.getByLabel('Destination path').fill(path);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.locator('dialog .done').textContent()).toContain(path);
    await page.screenshot({ path: `${SHOTS}/real-03-exported.png` });

    const exported = readFileSync(path);
    expect(exported.length).toBeGreaterThan(3 * 8000);
    // What fdscope saved is one contiguous slice of what the real reader got.
    await writer.waitFor((out) => out.length > exported.length, 'the reader to have it all');
    expect(writer.stdout().indexOf(exported)).toBeGreaterThanOrEqual(0);
    expect(
      exported
        .toString()
        .split('\n')
        .slice(0, -1)
        .every((l) => l.length === 99),
    ).toBe(true);
    expect(procStatus(writer.pid)).toMatchObject({ tracerPid: 0 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
