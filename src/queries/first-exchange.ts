import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import { pathPage } from './message-path.js';
import type { MessageListRow } from './message-columns.js';

/** The first question of a branch and the answer to it, if there is one yet. */
export type FirstExchange = { question: string; answer: string | null };

/** The first two messages of the branch root -> `leafId`: what a title is made from. */
export async function firstExchange(
  em: EntityManager,
  conversationId: string,
  leafId: string,
): Promise<FirstExchange | null> {
  const [first, second] = await pathPage(em, conversationId, leafId, 0, 2, false);
  if (first?.role !== 'user') return null;
  return { question: first.content, answer: answerText(second) };
}

const answerText = (message: MessageListRow | undefined) =>
  message?.role === 'assistant' && message.content.trim() !== '' ? message.content : null;

/** Whether the conversation has more than one complete answer: then none of them is its first. */
export async function answeredBefore(em: EntityManager, conversationId: string): Promise<boolean> {
  const rows = await runSql<{ id: string }>(
    em,
    "select id from messages where conversation_id = ? and role = 'assistant' and status = 'complete' limit 2",
    [conversationId],
  );
  return rows.length > 1;
}
