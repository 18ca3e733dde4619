import type { ChatEvent, ChatEventData } from './chat-events.js';
import { isFinal } from './chat-events.js';

export type ChatSession = {
  id: string;
  conversation_id: string;
  message_id: string;
  /** Aborting it stops the upstream llama.cpp request at once. */
  abort: AbortController;
  emit: (data: ChatEventData) => void;
  /** Replays the events after `afterId`, then follows live; returns the unsubscribe function. */
  subscribe: (listener: (event: ChatEvent) => void, afterId?: number) => () => void;
  readonly done: boolean;
  /** The complete or error event that ended the session, once it has ended. */
  readonly final: ChatEvent | undefined;
  readonly listenerCount: number;
};

/**
 * One generation's events, kept in memory so a client that reloads can replay what it missed. When the last
 * listener leaves before the end, the generation goes on for `detachGraceMs` (a reloaded page resumes it), then is
 * cancelled: nobody is reading it. With 0 it is cancelled at once.
 */
export function createChatSession(
  fields: { id: string; conversation_id: string; message_id: string },
  options: { onFinish?: () => void; detachGraceMs?: number } = {},
): ChatSession {
  const { onFinish = () => undefined, detachGraceMs = 0 } = options;
  const events: ChatEvent[] = [];
  const listeners = new Set<(event: ChatEvent) => void>();
  const abort = new AbortController();
  let done = false;
  let unwatched: NodeJS.Timeout | undefined;
  const detached = () => {
    if (detachGraceMs === 0) return abort.abort(new Error('the client disconnected'));
    unwatched = setTimeout(
      () => abort.abort(new Error(`nobody listened for ${detachGraceMs} ms after the client disconnected`)),
      detachGraceMs,
    ).unref();
  };
  return {
    ...fields,
    abort,
    emit(data) {
      if (done) return;
      const event = { id: events.length + 1, data };
      events.push(event);
      done = isFinal(data);
      for (const listener of listeners) listener(event);
      if (done) {
        clearTimeout(unwatched);
        listeners.clear();
        onFinish();
      }
    },
    subscribe(listener, afterId = 0) {
      for (const event of events) if (event.id > afterId) listener(event);
      if (done) return () => undefined;
      clearTimeout(unwatched);
      listeners.add(listener);
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0 && !done) detached();
      };
    },
    get done() {
      return done;
    },
    get final() {
      return done ? events.at(-1) : undefined;
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
