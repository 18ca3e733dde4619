import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';

/**
 * A document is indexed by one process at a time, whichever worker or instance: the one holding its lease, a row
 * taken when free or expired and renewed while it works. A process killed with its lease loses it when it expires.
 */
export async function claimLease(em: EntityManager, documentId: string, holder: string, ttlMs: number, now: number) {
  const rows = await runSql<{ holder: string }>(
    em,
    `insert into knowledge_leases (document_id, holder, expires_at) values (?, ?, ?)
     on conflict (document_id) do update set holder = excluded.holder, expires_at = excluded.expires_at
     where knowledge_leases.expires_at < ? or knowledge_leases.holder = excluded.holder
     returning holder`,
    [documentId, holder, now + ttlMs, now],
  );
  return rows[0]?.holder === holder;
}

export async function releaseLease(em: EntityManager, documentId: string, holder: string): Promise<void> {
  await runSql(em, 'delete from knowledge_leases where document_id = ? and holder = ?', [documentId, holder]);
}
