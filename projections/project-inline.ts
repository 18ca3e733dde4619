import type { EntityManager } from '@mikro-orm/knex';
import type { ProjectInline } from '../src/event-store/projection-hook.js';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { Projector } from './projector.js';
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
  // Plain SQL: it runs with every append, and the ORM's update builder costs more than the update itself.
  await runSql(
    em,
    `update projection_checkpoints set position = ?, updated_at = ? where position < ? and name in (${list.map(() => '?').join(', ')})`,
    [last.position, last.created_at, last.position, ...list.map((p) => p.name)],
  );
}

export const projectInlineWith =
  (list: readonly Projector[]): ProjectInline =>
  (em, events) =>
    applyEvents(em, list, events);
