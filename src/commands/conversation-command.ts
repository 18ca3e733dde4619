import type { ConversationCommand } from '../domain/conversation/conversation.commands.js';
import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { handleCommand, type CommandOptions } from './handle-command.js';

/** A command on the stream of the conversation it names. */
export const runConversationCommand = (store: EventStore, command: ConversationCommand, options: CommandOptions) =>
  handleCommand(
    store,
    conversationDecider,
    { id: command.data.conversation_id, type: 'conversation' },
    command,
    options,
  );
