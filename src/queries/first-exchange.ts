import type { EntityManager } from '@mikro-orm/knex';
import type { MessageRow } from '../../projections/message.entity.js';
import { pathPage } from './message-path.js';

/** The first question of a branch and the answer to it, if there is one yet. */
export type FirstExchange = { question: string; answer: string | null };

/** The first two messages of the branch root -> `leafId`: what a title is made from. */
export async function firstExchange(
  em: EntityManager,
  conversationId: string,
  leafId: string,
): Promise<FirstExchange | null> {
  const [first, second] = await pathPage(em, conversationId, leafId, 0, 2);
  if (first?.role !== 'user') return null;
  return { question: first.content, answer: answerText(second) };
}

const answerText = (message: MessageRow | undefined) =>
  message?.role === 'assistant' && message.content.trim() !== '' ? message.content : null;
