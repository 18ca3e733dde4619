import type { EntityManager } from '@mikro-orm/knex';
import { assertNever } from '../src/domain/shared/assert-never.js';
import type { ProjectInline } from '../src/event-store/projection-hook.js';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import { batchedWrites } from './batched-writes.js';
import type { Projector } from './projector.js';
import type { ReadModelWrites } from './read-model-writes.js';
import { transactionWrites } from './transaction-writes.js';
import { dialectOf } from '../src/db/dialect.js';
import { runSql } from '../src/db/run-sql.js';

/** Runs projectors over events, in order, writing through `writes`. */
export async function applyEvents(
  writes: ReadModelWrites,
  list: readonly Projector[],
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    for (const projector of list) await projector.project(writes, event);
  }
}

/** Moves the checkpoints of `list` to the last of `events`, in the caller's transaction. */
export async function advanceCheckpoints(
  tx: EntityManager,
  list: readonly Projector[],
  events: readonly StoredEvent[],
): Promise<void> {
  const last = events.at(-1);
  if (!last) return;
  const names = list.map((p) => p.name);
  const among = `name in (${names.map(() => '?').join(', ')})`;
  // PostgreSQL: concurrent appends all update these rows, and one UPDATE locks them in whatever order it finds
  // them, which two transactions can see differently: a deadlock, a 500 for one of them. Locking them first, in
  // name order, makes every append take them in the same order. SQLite runs one writer at a time.
  if (dialectOf(tx) === 'postgresql') {
    await runSql(tx, `select name from projection_checkpoints where ${among} order by name for update`, names);
  }
  // Plain SQL: it runs with every append, and the ORM's update builder costs more than the update itself.
  await runSql(tx, `update projection_checkpoints set position = ?, updated_at = ? where position < ? and ${among}`, [
    last.position,
    last.created_at,
    last.position,
    ...names,
  ]);
}

/**
 * The event store's projection hook for `list`: the projectors write on the append's transaction, row by row
 * (transaction-writes.ts) or, for many events at once, batched (batched-writes.ts); then the checkpoints move.
 */
export const projectInlineWith =
  (list: readonly Projector[]): ProjectInline =>
  async (tx, events, writing = 'now') => {
    switch (writing) {
      case 'now':
        await applyEvents(transactionWrites(tx), list, events);
        break;
      case 'batched': {
        const batch = batchedWrites(tx);
        await applyEvents(batch.writes, list, events);
        await batch.flush();
        break;
      }
      default:
        assertNever(writing);
    }
    await advanceCheckpoints(tx, list, events);
  };
