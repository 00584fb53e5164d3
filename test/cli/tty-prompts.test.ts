import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerOnTty } from '../../main/cli/tty-prompts';
import { PromptBroker } from '../../main/engine/prompts/prompt-broker';

function terminal() {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; raw: boolean[] };
  input.isTTY = true;
  input.raw = [];
  (input as unknown as { setRawMode(r: boolean): void }).setRawMode = (r) => input.raw.push(r);
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c: Buffer) => (shown += c.toString()));
  return { input, output, shown: () => shown };
}

describe('answerOnTty', () => {
  it('shows a host key by its fingerprint and trusts it only on yes', async () => {
    const broker = new PromptBroker();
    const tty = terminal();
    answerOnTty(broker, tty.input, tty.output);

    const answer = broker.ask({
      kind: 'host-key',
      host: '127.0.0.1:2222',
      title: 'Unknown host key',
      message: 'never seen',
      fingerprint: 'SHA256:AbC',
      keyType: 'ssh-ed25519',
      fields: [],
    });
    await new Promise((r) => setTimeout(r, 10));
    tty.input.write('y\n');

    expect((await answer).accept).toBe(true);
    expect(tty.shown()).toContain('ssh-ed25519 SHA256:AbC');
    expect(tty.shown()).toContain('Trust it? [y/N]');
  });

  it('reads a secret without echo, backspace included, in raw mode', async () => {
    const broker = new PromptBroker();
    const tty = terminal();
    answerOnTty(broker, tty.input, tty.output);

    const answer = broker.ask({
      kind: 'password',
      host: 'dev@127.0.0.1:2222',
      title: 'Password',
      message: 'for dev',
      fields: [{ label: 'Password', secret: true }],
    });
    await new Promise((r) => setTimeout(r, 10));
    tty.input.write('s3cx\u007fret\r');

    expect(await answer).toMatchObject({ accept: true, values: ['s3cret'] });
    expect(tty.input.raw).toEqual([true, false]);
    expect(tty.shown()).not.toContain('s3c');
  });
});
