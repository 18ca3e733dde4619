import { runConversationCommand } from '../commands/conversation-command.js';
import { foldStream } from '../commands/handle-command.js';
import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import type { MessageCompleted } from '../domain/conversation/conversation.events.js';
import { wantsGeneratedTitle } from '../domain/conversation/wants-generated-title.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import type { EventBus } from '../event-store/event-bus.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import type { LlamaClient } from '../llm/llama-client.js';
import type { Logger } from '../logger.js';
import { answeredBefore, firstExchange } from '../queries/first-exchange.js';
import { suggestTitle } from './suggest-title.js';

export type AutoTitleDeps = {
  bus: EventBus;
  store: () => EventStore;
  llm: LlamaClient;
  logger: Logger;
  maxTitleLength: number;
};

/**
 * AUTO_TITLE: when this process stores the first complete answer of a conversation no person named, the model is
 * asked for a title in the background. It follows this process's own commits, so each answer is seen once in a
 * cluster. A failure costs only the title: the placeholder from the first question stays.
 */
export function startAutoTitle(deps: AutoTitleDeps): { stop: () => Promise<void> } {
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const onCommitted = (events: StoredEvent[]) => {
    for (const event of events) {
      if (event.type !== 'MessageCompleted' || stopping.signal.aborted) continue;
      const work = titleAfter(deps, event, stopping.signal).catch((error: unknown) => {
        if (!stopping.signal.aborted)
          deps.logger.warn({ err: error, conversation_id: event.data.conversation_id }, 'no title generated');
      });
      running.add(work);
      void work.finally(() => running.delete(work));
    }
  };
  deps.bus.on('committed', onCommitted);
  return {
    stop: async () => {
      deps.bus.off('committed', onCommitted);
      stopping.abort(new Error('the server is stopping'));
      await Promise.allSettled([...running]);
    },
  };
}

async function titleAfter(deps: AutoTitleDeps, completed: StoredEvent<MessageCompleted>, signal: AbortSignal) {
  const { conversation_id, message_id } = completed.data;
  const store = deps.store();
  // Most answers are not a conversation's first: the read model says so without reading its whole stream.
  if (await answeredBefore(store.em, conversation_id)) return;
  const { state } = await foldStream(store.em, conversationDecider, { id: conversation_id, type: 'conversation' });
  if (!wantsGeneratedTitle(state, message_id)) return;
  const exchange = await firstExchange(store.em, conversation_id, message_id);
  if (exchange === null) return;
  const title = await suggestTitle(deps.llm, exchange, deps.maxTitleLength, signal);
  const cause = completed.metadata;
  await runConversationCommand(
    deps.store(),
    { type: 'ApplyGeneratedTitle', data: { conversation_id, title, unless_named: true } },
    {
      metadata: {
        ...(cause.correlation_id ? { correlation_id: cause.correlation_id } : {}),
        causation_id: `event:${completed.position}`,
      },
    },
  );
}
