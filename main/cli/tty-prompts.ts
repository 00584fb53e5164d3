// The CLI's answers to the engine's questions (trust a host key, type a password), asked on the
// terminal one at a time. Secrets are read without echo and kept by no one but the engine.
import type { Readable, Writable } from 'node:stream';
import type { Prompt } from '../../preload/contract';
import type { PromptBroker } from '../engine/prompts/prompt-broker';

/** A terminal's input, as much of tty.ReadStream as asking needs. */
export interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

/** Answers the broker's prompts on the terminal; returns what stops answering. */
export function answerOnTty(broker: PromptBroker, input: TtyInput, output: Writable): () => void {
  let queue = Promise.resolve();
  const unsubscribe = broker.onAsk((prompt) => {
    queue = queue.then(async () => {
      const values: string[] = [];
      output.write(`\n${prompt.title}: ${prompt.host}\n${prompt.message}\n`);
      if (prompt.fingerprint) output.write(`  ${prompt.keyType ?? 'key'} ${prompt.fingerprint}\n`);
      if (prompt.kind === 'host-key') {
        const yes = /^y(es)?$/i.test(
          (await readLine(input, output, 'Trust it? [y/N] ', true)).trim(),
        );
        answer(broker, prompt, yes, []);
        return;
      }
      for (const field of prompt.fields) {
        values.push(await readLine(input, output, `${field.label}: `, !field.secret));
      }
      answer(broker, prompt, true, values);
    });
  });
  return unsubscribe;
}

function answer(broker: PromptBroker, prompt: Prompt, accept: boolean, values: string[]): void {
  // The prompt may have timed out while the person typed: nothing left to answer then.
  if (broker.open().some((p) => p.id === prompt.id)) {
    broker.answer({ id: prompt.id, accept, values: accept ? values : [] });
  }
}

/** Reads one line; without echo, the terminal is put in raw mode and each key is read. */
function readLine(input: TtyInput, output: Writable, question: string, echo: boolean) {
  output.write(question);
  const raw = !echo && input.isTTY === true && typeof input.setRawMode === 'function';
  if (raw) input.setRawMode!(true);
  input.resume();
  return new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        // Ctrl-C and Ctrl-D while asking cancel the question, not the whole command.
        if (ch === '\u0003' || ch === '\u0004') {
          text = '';
          return done();
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = () => {
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      if (!echo) output.write('\n');
      resolve(text);
    };
    input.on('data', onData);
  });
}
