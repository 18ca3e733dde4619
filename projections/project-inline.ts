import type { EntityManager } from '@mikro-orm/knex';
import type { ProjectInline } from '../src/event-store/projection-hook.js';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { Projector } from './projector.js';
import { dialectOf } from '../src/db/dialect.js';
import { runSql } from '../src/db/run-sql.js';

/** Runs projectors over events inside the caller's transaction and advances their checkpoints. */
export async function applyEvents(
  em: EntityManager,
  list: readonly Projector[],
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    for (const projector of list) await projector.project(em, event);
  }
  const last = events.at(-1);
  if (!last) return;
  const names = list.map((p) => p.name);
  const among = `name in (${names.map(() => '?').join(', ')})`;
  // PostgreSQL: concurrent appends all update these rows, and one UPDATE locks them in whatever order it finds
  // them, which two transactions can see differently: a deadlock, a 500 for one of them. Locking them first, in
  // name order, makes every append take them in the same order. SQLite runs one writer at a time.
  if (dialectOf(em) === 'postgresql') {
    await runSql(em, `select name from projection_checkpoints where ${among} order by name for update`, names);
  }
  // Plain SQL: it runs with every append, and the ORM's update builder costs more than the update itself.
  await runSql(em, `update projection_checkpoints set position = ?, updated_at = ? where position < ? and ${among}`, [
    last.position,
    last.created_at,
    last.position,
    ...names,
  ]);
}

export const projectInlineWith =
  (list: readonly Projector[]): ProjectInline =>
  (em, events) =>
    applyEvents(em, list, events);
