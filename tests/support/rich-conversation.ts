import { expect } from 'vitest';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange, runConversationCommand } from './commands.js';
import type { HttpClient } from './http-client.js';

export type RichConversation = {
  id: string;
  /** Root question, its answer (thumbs up), a failed second answer to it. */
  question: string;
  answer: string;
  failed: string;
  /** A follow-up on the answer, its answer (the current leaf), and a cancelled second answer to it. */
  followUp: string;
  followUpAnswer: string;
  cancelled: string;
};

/**
 * A conversation with everything an export must carry: two branches, a reaction on each kind of message, a failed
 * and a cancelled answer, two models, token counts, timings, reasoning (of the first answer, and partial of the failed
 * and cancelled ones), message and conversation metadata; the current leaf selected back on the first branch.
 */
export async function richConversation(
  services: Services,
  api: HttpClient,
  options: { title?: string | null; project_id?: string | null; text?: string } = {},
): Promise<RichConversation> {
  const text = options.text ? ` ${options.text}` : '';
  const created = await api.post('/api/conversations', {
    title: options.title === undefined ? 'Vector clocks' : options.title,
    project_id: options.project_id ?? null,
    metadata: { pinned: true, tags: ['distributed'] },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const first = await exchange(services, id, `What is a vector clock?${text}`, `A list of counters.${text}`, {
    tokens: 12,
    model: 'tiny-model.gguf',
    reasoning: `The user asks what a vector clock is.${text}`,
  });
  expect((await api.patch(`/api/messages/${first.assistantId}/reaction`, { reaction: 'thumbs_up' })).status).toBe(200);
  const failed = uuidv7();
  await runConversationCommand(services, {
    type: 'StartAssistantResponse',
    data: { conversation_id: id, message_id: failed, parent_message_id: first.userId, metadata: { temperature: 1 } },
  });
  await runConversationCommand(services, {
    type: 'FailMessage',
    data: {
      conversation_id: id,
      message_id: failed,
      error: 'llama.cpp went away',
      error_type: 'llm_unavailable',
      partial_content: 'A list',
      partial_reasoning: 'Explain it',
    },
  });
  const second = await exchange(services, id, 'An example?', 'A sends [1,0]; B ticks to [1,1].', {
    parentId: first.assistantId,
    tokens: 9,
    model: 'other-model.gguf',
  });
  expect((await api.patch(`/api/messages/${second.userId}/reaction`, { reaction: 'thumbs_down' })).status).toBe(200);
  const cancelled = uuidv7();
  await runConversationCommand(services, {
    type: 'StartAssistantResponse',
    data: { conversation_id: id, message_id: cancelled, parent_message_id: second.userId, metadata: {} },
  });
  await runConversationCommand(services, {
    type: 'CancelMessage',
    data: { conversation_id: id, message_id: cancelled, partial_content: 'Half an answer', partial_reasoning: 'Hmm' },
  });
  expect((await api.patch(`/api/conversations/${id}`, { current_leaf_id: second.assistantId })).status).toBe(200);
  return {
    id,
    question: first.userId,
    answer: first.assistantId,
    failed,
    followUp: second.userId,
    followUpAnswer: second.assistantId,
    cancelled,
  };
}

/** Every message of a conversation through the API, in creation order. */
export async function messagesOf(api: HttpClient, conversationId: string): Promise<any[]> {
  const reply = await api.get(`/api/conversations/${conversationId}/messages?limit=500`);
  expect(reply.status).toBe(200);
  return reply.body.items;
}

/**
 * An export document with its ids replaced by their place (conversation c0, its messages m0, m1, ... in order) and
 * its export time blanked: two exports of the same content under other ids compare equal.
 */
export function withoutIds(document: any): unknown {
  const names = new Map<string, string>();
  document.conversations.forEach((conversation: any, i: number) => {
    names.set(conversation.id, `c${i}`);
    conversation.messages.forEach((message: any, j: number) => names.set(message.id, `c${i}m${j}`));
  });
  const rename = (id: string | null) => (id === null ? null : (names.get(id) ?? `unknown ${id}`));
  return {
    ...document,
    exported_at: '(time)',
    conversations: document.conversations.map((conversation: any) => ({
      ...conversation,
      id: rename(conversation.id),
      current_leaf_id: rename(conversation.current_leaf_id),
      messages: conversation.messages.map((message: any) => ({
        ...message,
        id: rename(message.id),
        parent_message_id: rename(message.parent_message_id),
      })),
    })),
  };
}
