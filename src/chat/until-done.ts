import type { ChatSession } from './chat-session.js';

/** Resolves once the session has sent its final event, or after `ms`, whichever comes first. */
export function untilDone(session: Pick<ChatSession, 'done' | 'subscribe'>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (session.done) return resolve();
    const timer = setTimeout(finish, ms);
    const unsubscribe = session.subscribe(() => {
      if (session.done) finish();
    });
    function finish() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}
