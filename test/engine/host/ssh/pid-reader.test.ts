import { describe, expect, it } from 'vitest';
import { pidReader } from '../../../../main/engine/host/ssh/ssh-process';

async function read(chunks: string[]): Promise<{ pid: number | null; rest: string }> {
  let pid: number | null = null;
  const reader = pidReader((found) => (pid = found));
  const out: Buffer[] = [];
  reader.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise((r) => reader.once('end', r));
  for (const chunk of chunks) reader.write(Buffer.from(chunk, 'latin1'));
  reader.end();
  await ended;
  return { pid, rest: Buffer.concat(out).toString('latin1') };
}

describe("the remote command's pid line on stderr", () => {
  it('is taken off the front, even split across chunks', async () => {
    expect(await read(['fdscope-p', 'id 4242\nerr 1\n', 'err 2\n'])).toEqual({
      pid: 4242,
      rest: 'err 1\nerr 2\n',
    });
  });

  it("is found after what the login shell's startup files wrote first", async () => {
    expect(await read(['bashrc says hi\n', 'fdscope-pid 7\n', 'x'])).toEqual({
      pid: 7,
      rest: 'bashrc says hi\nx',
    });
  });

  it('leaves stderr whole when it never comes, and ignores it inside a line', async () => {
    expect(await read(['no marker here'])).toEqual({ pid: null, rest: 'no marker here' });
    expect(await read(['a fdscope-pid 9\n'])).toEqual({ pid: null, rest: 'a fdscope-pid 9\n' });
  });
});
