// The engine's open questions (trust a host key, type a password), oldest first. Answers go
// back through the bridge; a prompt closed elsewhere (another window, a timeout) just leaves.
import type { ErrorInfo, FdscopeBridge, Prompt } from '../../../preload/contract';

/** The queue of prompts the window shows, one at a time. */
export class PromptQueue {
  open = $state<Prompt[]>([]);
  error = $state<ErrorInfo | null>(null);

  constructor(private readonly bridge: FdscopeBridge) {
    bridge.on('prompt:ask', (prompt) => {
      if (!this.open.some((p) => p.id === prompt.id)) this.open.push(prompt);
    });
    bridge.on('prompt:closed', ({ id }) => this.drop(id));
  }

  /** The prompt on show, if any. */
  get current(): Prompt | null {
    return this.open[0] ?? null;
  }

  /** Sends the answer; the values are not kept once sent. */
  async answer(id: string, accept: boolean, values: string[] = []): Promise<void> {
    const r = await this.bridge.request('prompt:answer', { id, accept, values });
    this.error = r.ok ? null : r.error;
    this.drop(id);
  }

  private drop(id: string): void {
    this.open = this.open.filter((p) => p.id !== id);
  }
}
