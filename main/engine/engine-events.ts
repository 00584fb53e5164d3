// Routes a subscription to one of the engine's events to the part of the engine that emits it.
import type { CaptureInfo, EventName, Events } from '../../preload/contract';
import type { PromptBroker } from './prompts/prompt-broker';

/** Where the engine's events come from. */
export interface EventSources {
  updates: Set<(info: CaptureInfo) => void>;
  prompts: PromptBroker;
}

/** Subscribes a listener to an event; returns the unsubscribe function. */
export function subscribe<E extends EventName>(
  sources: EventSources,
  name: E,
  listener: (payload: Events[E]) => void,
): () => void {
  const untyped = listener as (payload: unknown) => void;
  switch (name) {
    case 'prompt:ask':
      return sources.prompts.onAsk(untyped);
    case 'prompt:closed':
      return sources.prompts.onClosed(untyped);
    case 'capture:update':
      sources.updates.add(untyped);
      return () => sources.updates.delete(untyped);
    default:
      // 'menu:command' comes from the desktop app's menu, never from the engine.
      return () => undefined;
  }
}
