import { isFinal, type ChatEvent } from '../../chat/chat-events.js';
import type { SessionFeed } from '../../chat/session-feed.js';
import type { AppContext } from '../app-state.js';
import { openSse } from '../sse/sse-writer.js';

/**
 * Sends a chat session's events over SSE from `afterId` on, until its final event or until the client
 * leaves. Koa hands the raw response over: each event is written and flushed on its own.
 */
export async function streamSession(ctx: AppContext, session: SessionFeed, afterId = 0): Promise<void> {
  ctx.respond = false;
  const writer = openSse(ctx.res);
  await new Promise<void>((resolve) => {
    const send = (event: ChatEvent) => {
      writer.send({ id: String(event.id), event: event.data.type, data: JSON.stringify(event.data) });
      if (isFinal(event.data)) {
        writer.close();
        resolve();
      }
    };
    const unsubscribe = session.subscribe(send, afterId);
    // A finished session and a Last-Event-ID at or past its end: answer with the final event again and close,
    // rather than hold the connection open for events that will never come.
    if (!writer.closed && session.final) send(session.final);
    if (writer.closed) {
      unsubscribe();
      return resolve();
    }
    writer.signal.addEventListener('abort', () => {
      unsubscribe();
      resolve();
    });
  });
}
