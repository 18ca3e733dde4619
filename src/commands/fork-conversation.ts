import type { MessageRow } from '../../projections/message.entity.js';
import type { EntityManager } from '@mikro-orm/knex';
import type { ForkConversation, ImportConversation } from '../domain/conversation/conversation.commands.js';
import type { ConversationState } from '../domain/conversation/conversation.state.js';
import { notFound } from '../domain/shared/domain-error.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { forkCommand } from '../portability/fork.js';
import { findConversation } from '../queries/conversation.queries.js';
import { branchTo } from '../queries/export.queries.js';
import { ownProjectStatus, onConversation } from './conversation-command.js';
import type { CommandOptions } from './handle-command.js';
import { importConversations } from './import-conversations.js';
import { projectStatusOf } from './project-status.js';

export type ForkRequest = {
  /** The conversation forked, and the message of it the copy ends at. */
  conversation_id: string;
  message_id: string;
  /** The new conversation's id (made by this server). */
  new_conversation_id: string;
  /** undefined: as the original. */
  title?: string | null;
  project_id?: string | null;
  newId: () => string;
  now: string;
};

/**
 * Copies a branch into a new conversation: the source decides whether the branch can be forked (it is shown, the
 * message is in it, nothing of the branch is streaming), the new stream decides the import (where its project
 * stands included). Returns the new conversation's id.
 */
export async function forkConversation(store: EventStore, request: ForkRequest, options: CommandOptions) {
  const { conversation_id, message_id } = request;
  // The source is not written: no If-Match applies to it.
  const check = async (em: EntityManager, state: ConversationState): Promise<ForkConversation> => ({
    type: 'ForkConversation',
    data: { conversation_id, message_id, project_status: await ownProjectStatus(em, state) },
  });
  const { stateCache, metadata } = options;
  await onConversation(store, conversation_id, check, { metadata, ...(stateCache ? { stateCache } : {}) });
  // What the decision allowed is read from the read models, written in the same transactions as the log.
  const found = await findConversation(store.em, conversation_id);
  const branch: MessageRow[] = found ? await branchTo(store.em, conversation_id, message_id) : [];
  if (!found || branch.length === 0) throw notFound(`Conversation ${conversation_id} not found`);
  const source = found.conversation;
  const project_id = request.project_id === undefined ? (source.project_id ?? null) : request.project_id;
  const command: ImportConversation = forkCommand({
    source,
    branch,
    conversation_id: request.new_conversation_id,
    newId: request.newId,
    now: request.now,
    title: request.title === undefined ? (source.title ?? null) : request.title,
    project_id,
    project_status: await projectStatusOf(store.em, project_id),
  });
  await importConversations(store, [command], options);
  return request.new_conversation_id;
}
