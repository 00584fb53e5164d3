import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCommandHost } from '../../../main/engine/host/command-host';
import { waitFor } from '../../helpers/proc-fixtures';

// A wrapper that, like kubectl exec, prints a warning first and passes no signal on: it runs
// the command in the background and waits, so killing the wrapper leaves the command running.
const WRAPPER = ['sh', '-c', 'echo "warning: from the wrapper" >&2; "$@" & wait', 'wrapper'];

function read(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return new Promise((resolve) => stream.on('end', () => resolve(text)));
}

function running(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('createCommandHost', () => {
  it("passes the command's output on, without the line its guard adds", async () => {
    const host = createCommandHost(WRAPPER, { id: 'c' });

    const proc = host.spawn(['sh', '-c', 'echo out; echo err >&2']);
    const [out, err, status] = await Promise.all([
      read(proc.stdout),
      read(proc.stderr),
      proc.exited,
    ]);

    expect(out).toBe('out\n');
    expect(err).toBe('warning: from the wrapper\nerr\n');
    expect(status.code).toBe(0);
    expect(host.info).toEqual({
      id: 'c',
      label: `sh -c 'echo "warning: from the wrapper" >&2; "$@" & wait' wrapper`,
      kind: 'command',
    });
  });

  it('sends a signal to the command where it runs, past a wrapper that passes none', async () => {
    const host = createCommandHost(WRAPPER, { id: 'c' });
    const proc = host.spawn(['sleep', '31.25']);
    proc.stdout.resume();
    proc.stderr.resume();
    await waitFor(() => running('31.25').length > 0, 'the command');

    proc.kill('SIGTERM');
    await proc.exited;

    // The wrapper's own status is 0 (its wait returns that); what matters is the command ended.
    await waitFor(() => running('31.25').length === 0, 'the command to end');
  });
});
