import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/knex';
import { logHead } from './log-head.js';
import { readAll } from './read-all.js';
import type { StoredEvent } from './stored-event.js';
import { dialectOf } from '../db/dialect.js';

const settleTimeoutMs = 1000;
const settlePollMs = 20;

/**
 * Up to `limit` events after `afterPosition`, in log order, such that no event at or below the last one
 * returned can still appear: a follower that resumes from the last position it got never misses an event.
 */
export async function readCommitted(em: EntityManager, afterPosition: number, limit: number): Promise<StoredEvent[]> {
  const batch = await readAll(em, afterPosition, limit);
  // SQLite writes one transaction at a time: positions commit in order.
  if (dialectOf(em) === 'sqlite') return batch;
  const unbroken = unbrokenRun(batch, afterPosition);
  if (unbroken.length > 0 || batch.length === 0) return unbroken;
  // PostgreSQL commits in any order, so a missing position may belong to an append still in flight.
  // Its transaction took its id before the position (migration 0004), so before the one we take now:
  // once every transaction older than ours has ended, whatever it committed at or below `upTo` is visible.
  const upTo = batch.at(-1)!.position;
  if (!(await waitForOlderTransactions(em))) return [];
  return readAll(em, afterPosition, limit, upTo);
}

/**
 * The end of the log such that nothing can still appear at or below it: where a reader may start and be sure it
 * skips nothing. On PostgreSQL a transaction may hold a position below the highest one visible and commit later:
 * once every transaction older than one taken after reading the end has ended, none can.
 */
export async function settledHead(em: EntityManager): Promise<number> {
  for (;;) {
    const head = await logHead(em);
    if (dialectOf(em) === 'sqlite' || (await waitForOlderTransactions(em))) return head;
  }
}

/** The events that follow `afterPosition` with no position missing: nothing can still commit in between. */
function unbrokenRun(batch: StoredEvent[], afterPosition: number): StoredEvent[] {
  const gap = batch.findIndex((event, i) => event.position !== afterPosition + i + 1);
  return gap === -1 ? batch : batch.slice(0, gap);
}

/** Takes a transaction id and waits until it and every older transaction have ended; false on timeout. */
async function waitForOlderTransactions(em: EntityManager): Promise<boolean> {
  const connection = em.getConnection();
  const [taken] = await connection.execute<{ xid: string }[]>('select pg_current_xact_id()::text as xid');
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    const [snapshot] = await connection.execute<{ ended: boolean }[]>(
      'select pg_snapshot_xmin(pg_current_snapshot()) > ?::xid8 as ended',
      [taken!.xid],
    );
    if (snapshot!.ended) return true;
    if (Date.now() >= deadline) return false;
    await sleep(settlePollMs);
  }
}
