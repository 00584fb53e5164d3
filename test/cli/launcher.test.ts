import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-bin-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync('bin/fdscope.js', join(dir, 'bin', 'fdscope.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/fdscope.js', () => {
  it('says how to build when out/ is missing, with exit 1', () => {
    const run = spawnSync(process.execPath, [join(dir, 'bin', 'fdscope.js'), '--help']);

    expect(run.status).toBe(1);
    expect(run.stderr.toString()).toBe('fdscope is not built: run npm run build\n');
  });

  it('runs out/main/cli.js with the arguments it was given', () => {
    mkdirSync(join(dir, 'out', 'main'), { recursive: true });
    writeFileSync(
      join(dir, 'out', 'main', 'cli.js'),
      'process.stdout.write(JSON.stringify(process.argv.slice(2)));',
    );

    const out = execFileSync(process.execPath, [join(dir, 'bin', 'fdscope.js'), 'ps', '--json']);

    expect(JSON.parse(out.toString())).toEqual(['ps', '--json']);
  });
});
