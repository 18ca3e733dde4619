import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';

/** The position of the last event in the log; 0 when it is empty. */
export async function logHead(em: EntityManager): Promise<number> {
  const [row] = await runSql<{ head: number | string | null }>(em, 'select max(position) as head from events');
  return Number(row?.head ?? 0);
}
