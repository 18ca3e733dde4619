import type { Decider } from '../shared/decider.js';
import type { ConversationCommand } from './conversation.commands.js';
import { decideConversation } from './conversation.decide.js';
import type { ConversationEvent } from './conversation.events.js';
import { evolveConversation, initialConversationState, type ConversationState } from './conversation.state.js';

export const conversationDecider: Decider<ConversationCommand, ConversationEvent, ConversationState> = {
  decide: decideConversation,
  evolve: evolveConversation,
  initialState: initialConversationState,
};
