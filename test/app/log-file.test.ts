import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotatingLog } from '../../main/app/log-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createRotatingLog', () => {
  it('keeps at most keep rotated files, none larger than maxBytes', () => {
    const log = createRotatingLog({ dir: join(dir, 'logs'), maxBytes: 100, keep: 2 });

    for (let i = 0; i < 50; i++)
      log.write(`line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}\n`);

    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['fdscope.log', 'fdscope.log.1', 'fdscope.log.2']);
    for (const f of files) expect(statSync(join(dir, 'logs', f)).size).toBeLessThanOrEqual(100);
    expect(readFileSync(log.path, 'utf8')).toContain('line 049');
    expect(readFileSync(log.path + '.1', 'utf8')).not.toContain('line 049');
  });

  it('appends to the file a previous run left', () => {
    createRotatingLog({ dir }).write('one\n');

    createRotatingLog({ dir }).write('two\n');

    expect(readFileSync(join(dir, 'fdscope.log'), 'utf8')).toBe('one\ntwo\n');
  });
});
