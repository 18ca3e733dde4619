import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import { runConversationCommand as runCommand } from '../../src/commands/conversation-command.js';
import type { CompletionTimings } from '../../src/domain/conversation/conversation.events.js';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';

export type DatedAnswer = {
  model: string;
  tokens: number;
  completion_time_ms: number;
  timings: CompletionTimings;
};

/**
 * A question and its answer, completed or stopped, through the command layer of a running app, their events
 * stamped `at` (an ISO instant): how a test puts answers on days other than today.
 */
export async function answeredAt(
  services: Services,
  conversationId: string,
  at: string,
  answer: DatedAnswer | 'cancelled',
): Promise<{ questionId: string; answerId: string }> {
  const store = {
    em: services.db.em(),
    projectInline: projectInlineWith(projectors),
    bus: services.bus,
    now: () => new Date(at),
  };
  const run = (command: Parameters<typeof runCommand>[1]) =>
    runCommand(store, command, { metadata: { request_id: 'test' } });
  const conversation_id = conversationId;
  const questionId = uuidv7();
  const answerId = uuidv7();
  await run({
    type: 'PostUserMessage',
    data: { conversation_id, message_id: questionId, content: 'Q?', metadata: {} },
  });
  await run({
    type: 'StartAssistantResponse',
    data: { conversation_id, message_id: answerId, parent_message_id: questionId, metadata: {} },
  });
  if (answer === 'cancelled') {
    await run({ type: 'CancelMessage', data: { conversation_id, message_id: answerId, partial_content: 'A' } });
    return { questionId, answerId };
  }
  await run({
    type: 'CompleteMessage',
    data: {
      conversation_id,
      message_id: answerId,
      content: 'A.',
      token_count: answer.tokens,
      model_name: answer.model,
      completion_time_ms: answer.completion_time_ms,
      finish_reason: 'stop',
      timings: answer.timings,
    },
  });
  return { questionId, answerId };
}
