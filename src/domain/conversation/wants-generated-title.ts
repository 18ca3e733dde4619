import type { ConversationState } from './conversation.state.js';

/**
 * AUTO_TITLE's rule: the model names a conversation once, when its first answer is complete, unless a person named
 * it (a title taken from the first question is only a placeholder).
 */
export function wantsGeneratedTitle(state: ConversationState, completedMessageId: string): boolean {
  if (state.status !== 'active') return false;
  if (state.title_source === 'person' || state.title_source === 'model') return false;
  const answers = [...state.messages].filter(([, m]) => m.role === 'assistant' && m.status === 'complete');
  return answers.length === 1 && answers[0]![0] === completedMessageId;
}
