import type { EntityManager } from '@mikro-orm/knex';
import { aliveSql } from '../cluster/alive-sql.js';
import { runConversationCommand } from '../commands/conversation-command.js';
import { dialectOf } from '../db/dialect.js';
import { DomainError } from '../domain/shared/domain-error.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { ConcurrencyError } from '../event-store/expected-version.js';

/**
 * Whose answers count as abandoned: with `alone`, those of every process but this one, which are known to be
 * gone (a lone server at start, or a cluster's primary on SQLite before it forks); else only those whose process
 * is dead (see alive-sql.ts), or that no process ever claimed.
 */
export type Survivors = { alone: true; instanceId: string } | { alone: false };

export type AbandonedAnswer = { id: string; conversation_id: string; content: string; reasoning: string | null };

/** Answers still `streaming` that no live process generates: a crash or a kill cut them off. */
export function findAbandoned(em: EntityManager, survivors: Survivors): Promise<AbandonedAnswer[]> {
  const select =
    'select m.id, m.conversation_id, m.content, m.reasoning from messages m left join generations g on g.message_id = m.id ' +
    "where m.status = 'streaming'";
  return survivors.alone
    ? em.execute(`${select} and (g.instance_id is null or g.instance_id <> ?)`, [survivors.instanceId])
    : em.execute(`${select} and (g.instance_id is null or not ${aliveSql(dialectOf(em))})`);
}

/**
 * Marks each answer failed (`interrupted`), keeping the text checkpointed before the cut, and forgets the
 * claims of processes that are gone. Returns how many it marked.
 */
export async function markInterrupted(store: () => EventStore, answers: AbandonedAnswer[]): Promise<number> {
  let marked = 0;
  for (const answer of answers) {
    try {
      await runConversationCommand(
        store(),
        {
          type: 'FailMessage',
          data: {
            conversation_id: answer.conversation_id,
            message_id: answer.id,
            error: 'The server stopped while this answer was being generated',
            error_type: 'interrupted',
            partial_content: answer.content,
            partial_reasoning: answer.reasoning ?? null,
          },
        },
        { metadata: { cause: 'interrupted' } },
      );
      marked++;
    } catch (error) {
      // It ended meanwhile: its owner recorded the end, or another process marked it first.
      if (!(error instanceof DomainError || error instanceof ConcurrencyError)) throw error;
    }
    await store().em.execute('delete from generations where message_id = ?', [answer.id], 'run');
  }
  return marked;
}
