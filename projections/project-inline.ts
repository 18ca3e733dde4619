import type { EntityManager } from '@mikro-orm/knex';
import type { ProjectInline } from '../src/event-store/projection-hook.js';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import { ProjectionCheckpoint } from './checkpoint.entity.js';
import type { Projector } from './projector.js';

/** Runs projectors over events inside the caller's transaction and advances their checkpoints. */
export async function applyEvents(
  em: EntityManager,
  list: readonly Projector[],
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    for (const projector of list) await projector.project(em, event);
  }
  await em.flush();
  const last = events.at(-1);
  if (!last) return;
  await em.nativeUpdate(
    ProjectionCheckpoint,
    { name: { $in: list.map((p) => p.name) }, position: { $lt: last.position } },
    { position: last.position, updated_at: last.created_at },
  );
}

export const projectInlineWith =
  (list: readonly Projector[]): ProjectInline =>
  (em, events) =>
    applyEvents(em, list, events);
