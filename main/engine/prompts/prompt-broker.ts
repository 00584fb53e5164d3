// Questions the engine puts to the person at the window (trust a host key, type a password),
// and their answers. The engine's code awaits an answer; the faces only forward events.
import { randomUUID } from 'node:crypto';
import type { Prompt, PromptAnswer } from '../../../preload/contract';
import { FdscopeError } from '../errors';

type AskListener = (prompt: Prompt) => void;
type ClosedListener = (closed: { id: string; reason: string }) => void;

interface Pending {
  prompt: Prompt;
  resolve: (answer: PromptAnswer) => void;
  timer: NodeJS.Timeout;
}

/** A question as the engine asks it; the broker gives it its id. */
export type Question = Omit<Prompt, 'id'>;

// Long enough to find a fingerprint in a provisioning log; short enough that a forgotten dialog
// does not hold a connection attempt open for ever.
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Holds the open prompts and routes answers back to whoever asked. */
export class PromptBroker {
  private readonly pending = new Map<string, Pending>();
  private readonly askListeners = new Set<AskListener>();
  private readonly closedListeners = new Set<ClosedListener>();

  constructor(private readonly timeoutMs = DEFAULT_TIMEOUT_MS) {}

  /**
   * Asks the person and resolves with their answer; a refusal, a timeout or an abort resolve
   * with accept false. Throws when nobody is there to ask: no window, and no terminal.
   */
  ask(question: Question, signal?: AbortSignal): Promise<PromptAnswer> {
    if (this.askListeners.size === 0) {
      throw new FdscopeError('not-supported', `unable to ask: ${question.title}`, {
        reason: 'nobody is there to answer it (no window is open, and no terminal)',
        help: 'answer it once from the app or a terminal; scripts should use keys or the agent',
      });
    }
    const prompt: Prompt = { ...question, id: randomUUID() };

    const answered = new Promise<PromptAnswer>((resolve) => {
      const timer = setTimeout(() => this.close(prompt.id, 'no answer in time'), this.timeoutMs);
      this.pending.set(prompt.id, { prompt, resolve, timer });
    });
    signal?.addEventListener('abort', () => this.close(prompt.id, 'no longer needed'), {
      once: true,
    });
    this.askListeners.forEach((listener) => listener(prompt));
    return answered;
  }

  /** Takes an answer from a face; an unknown or stale id is a bad request. */
  answer(answer: PromptAnswer): { id: string } {
    const open = this.pending.get(answer.id);
    if (!open) {
      throw new FdscopeError('bad-request', 'unable to take the answer', {
        reason: 'that question is no longer open (answered elsewhere or timed out)',
      });
    }
    if (answer.accept && answer.values.length !== open.prompt.fields.length) {
      throw new FdscopeError('bad-request', 'unable to take the answer', {
        reason: `expected ${open.prompt.fields.length} values, got ${answer.values.length}`,
      });
    }
    this.settle(answer.id, answer, 'answered');
    return { id: answer.id };
  }

  /** Subscribes to new prompts; the open ones are replayed, so a late window is asked too. */
  onAsk(listener: AskListener): () => void {
    this.askListeners.add(listener);
    for (const open of this.pending.values()) listener(open.prompt);
    return () => this.askListeners.delete(listener);
  }

  /** Subscribes to prompts that no longer need an answer. */
  onClosed(listener: ClosedListener): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** The prompts still waiting for an answer. */
  open(): Prompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  /** Refuses every open prompt: the engine is closing. */
  dispose(): void {
    for (const id of [...this.pending.keys()]) this.close(id, 'fdscope is closing');
  }

  private close(id: string, reason: string): void {
    this.settle(id, { id, accept: false, values: [] }, reason);
  }

  private settle(id: string, answer: PromptAnswer, reason: string): void {
    const open = this.pending.get(id);
    if (!open) return;
    this.pending.delete(id);
    clearTimeout(open.timer);
    open.resolve(answer);
    this.closedListeners.forEach((listener) => listener({ id, reason }));
  }
}
