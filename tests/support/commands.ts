import { runConversationCommand as runCommand } from '../../src/commands/conversation-command.js';
import type { ConversationRequest } from '../../src/commands/conversation-command.js';
import type { Services } from '../../src/http/app-state.js';
import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import { uuidv7 } from '../../src/ids.js';

/**
 * Runs a conversation command through the command layer of a running app, as the chat
 * handler will: posting messages has no HTTP route before chat streaming exists.
 */
export function runConversationCommand(services: Services, command: ConversationRequest) {
  const store = {
    em: services.db.em(),
    projectInline: projectInlineWith(projectors),
    bus: services.bus,
    now: services.now,
  };
  return runCommand(store, command, { metadata: { request_id: 'test' } });
}

/** Posts a user message and a completed assistant answer; returns both ids. */
export async function exchange(
  services: Services,
  conversationId: string,
  question: string,
  answer: string,
  options: { parentId?: string | null; tokens?: number; model?: string; reasoning?: string } = {},
): Promise<{ userId: string; assistantId: string }> {
  const userId = uuidv7();
  const assistantId = uuidv7();
  const conversation_id = conversationId;
  await runConversationCommand(services, {
    type: 'PostUserMessage',
    data: {
      conversation_id,
      message_id: userId,
      content: question,
      metadata: {},
      ...(options.parentId !== undefined ? { parent_message_id: options.parentId } : {}),
    },
  });
  await runConversationCommand(services, {
    type: 'StartAssistantResponse',
    data: { conversation_id, message_id: assistantId, parent_message_id: userId, metadata: {} },
  });
  await runConversationCommand(services, {
    type: 'CompleteMessage',
    data: {
      conversation_id,
      message_id: assistantId,
      content: answer,
      ...(options.reasoning === undefined ? {} : { reasoning: options.reasoning }),
      token_count: options.tokens ?? 7,
      model_name: options.model ?? 'tiny-model.gguf',
      completion_time_ms: 42,
      finish_reason: 'stop',
      timings: { prompt_n: 5, prompt_ms: 1.5, predicted_n: options.tokens ?? 7, predicted_ms: 30 },
    },
  });
  return { userId, assistantId };
}
