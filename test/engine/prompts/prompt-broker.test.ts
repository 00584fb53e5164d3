import { describe, expect, it } from 'vitest';
import type { Prompt } from '../../../preload/contract';
import { PromptBroker, type Question } from '../../../main/engine/prompts/prompt-broker';

const passwordQuestion: Question = {
  kind: 'password',
  host: 'dev@127.0.0.1:2222',
  title: 'Password',
  message: 'dev@127.0.0.1 asks for a password',
  fields: [{ label: 'Password', secret: true }],
};

describe('PromptBroker', () => {
  it('routes a window answer back to whoever asked', async () => {
    const broker = new PromptBroker();
    const seen: Prompt[] = [];
    broker.onAsk((p) => seen.push(p));

    const answer = broker.ask(passwordQuestion);
    broker.answer({ id: seen[0].id, accept: true, values: ['s3cret'] });

    expect(await answer).toEqual({ id: seen[0].id, accept: true, values: ['s3cret'] });
    expect(broker.open()).toEqual([]);
  });

  it('asks a window that subscribes later the questions still open', () => {
    const broker = new PromptBroker();
    broker.onAsk(() => {});
    void broker.ask(passwordQuestion);

    const late: Prompt[] = [];
    broker.onAsk((p) => late.push(p));

    expect(late.map((p) => p.title)).toEqual(['Password']);
  });

  it('refuses with a reason when no window is there to ask', () => {
    const broker = new PromptBroker();

    expect(() => broker.ask(passwordQuestion)).toThrow(
      expect.objectContaining({ reason: expect.stringMatching(/nobody is there to answer it/) }),
    );
  });

  it('closes a question on timeout and on abort as a refusal, and tells the windows', async () => {
    const broker = new PromptBroker(30);
    const closed: string[] = [];
    broker.onAsk(() => {});
    broker.onClosed((c) => closed.push(c.reason));
    const controller = new AbortController();

    const timedOut = broker.ask(passwordQuestion);
    const aborted = broker.ask(passwordQuestion, controller.signal);
    controller.abort();

    expect((await aborted).accept).toBe(false);
    expect((await timedOut).accept).toBe(false);
    expect(closed).toEqual(['no longer needed', 'no answer in time']);
  });

  it('rejects an answer to a closed question and one with the wrong number of values', () => {
    const broker = new PromptBroker();
    const seen: Prompt[] = [];
    broker.onAsk((p) => seen.push(p));
    void broker.ask(passwordQuestion);

    expect(() => broker.answer({ id: seen[0].id, accept: true, values: [] })).toThrow(
      expect.objectContaining({ reason: 'expected 1 values, got 0' }),
    );
    broker.answer({ id: seen[0].id, accept: false, values: [] });
    expect(() => broker.answer({ id: seen[0].id, accept: false, values: [] })).toThrow(
      expect.objectContaining({ reason: expect.stringMatching(/no longer open/) }),
    );
  });
});
