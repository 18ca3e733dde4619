import type { Generation } from '../domain/conversation/generation.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/**
 * What the start of answer `messageId` recorded it is generated with: the decider settled it from the request's
 * options and the conversation's and project's settings (domain/conversation/generation.ts), and the answer is
 * generated with exactly what its event says.
 */
export function recordedGeneration(appended: readonly StoredEvent[], messageId: string): Generation {
  for (const event of appended) {
    if (event.type === 'AssistantResponseStarted' && event.data.message_id === messageId) {
      return event.data.metadata.generation as unknown as Generation;
    }
  }
  throw new Error(`No AssistantResponseStarted recorded for ${messageId}`);
}
