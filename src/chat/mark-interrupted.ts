import type { EntityManager } from '@mikro-orm/knex';
import { MessageView } from '../../projections/message.entity.js';
import { runConversationCommand } from '../commands/conversation-command.js';
import type { EventStore } from '../event-store/append-to-stream.js';

/**
 * Answers still `streaming` when the server starts were cut off by a crash or a kill: they are marked
 * failed (`interrupted`), keeping the text checkpointed before it.
 */
export async function markInterrupted(em: EntityManager, store: () => EventStore): Promise<number> {
  const cut = await em.find(MessageView, { status: 'streaming' }, { disableIdentityMap: true });
  for (const message of cut) {
    await runConversationCommand(
      store(),
      {
        type: 'FailMessage',
        data: {
          conversation_id: message.conversation_id,
          message_id: message.id,
          error: 'The server stopped while this answer was being generated',
          error_type: 'interrupted',
          partial_content: message.content,
        },
      },
      { metadata: { cause: 'startup' } },
    );
  }
  return cut.length;
}
