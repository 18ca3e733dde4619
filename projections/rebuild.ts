import type { EntityManager } from '@mikro-orm/knex';
import { inTransaction } from '../src/db/in-transaction.js';
import { readAll } from '../src/event-store/read-all.js';
import { ProjectionCheckpoint } from './checkpoint.entity.js';
import { runSql } from '../src/db/run-sql.js';
import { projectInlineWith } from './project-inline.js';
import type { Projector } from './projector.js';
import { emptyTable } from './read-model-sql.js';

export type RebuildProgress = { done: number; position: number; eventsPerSecond: number };

/**
 * Empties the read models of `list` and replays the whole log into them, batch by batch,
 * each batch in its own transaction. Run it while no server writes to the same database.
 */
export async function rebuildProjections(
  em: EntityManager,
  list: readonly Projector[],
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<{ events: number }> {
  const batchSize = options.batchSize ?? 2000;
  await inTransaction(em, async (tx) => {
    await emptyReadModels(tx, list);
    const names = list.map((p) => p.name);
    await runSql(
      tx,
      `update projection_checkpoints set position = 0 where name in (${names.map(() => '?').join(', ')})`,
      names,
    );
  });
  const projectInline = projectInlineWith(list);
  const started = performance.now();
  let position = 0;
  let done = 0;
  for (;;) {
    const batch = await readAll(em.fork(), position, batchSize);
    if (batch.length === 0) break;
    await inTransaction(em, (tx) => projectInline(tx, batch, 'batched'));
    done += batch.length;
    position = batch.at(-1)!.position;
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ done, position, eventsPerSecond: Math.round(done / Math.max(seconds, 1e-3)) });
  }
  return { events: done };
}

/** Empties the tables `list` owns (and what goes with them: search's index). */
export async function emptyReadModels(tx: EntityManager, list: readonly Projector[]): Promise<void> {
  for (const projector of list) for (const table of projector.owns) await emptyTable(tx, table);
}

/** Makes sure every projector has a checkpoint row, so inline appends can advance it. */
export async function ensureCheckpoints(em: EntityManager, list: readonly Projector[]): Promise<string[]> {
  const existing = await em.find(ProjectionCheckpoint, {}, { disableIdentityMap: true });
  const missing = list.filter((p) => !existing.some((row) => row.name === p.name));
  if (missing.length > 0) {
    await em.insertMany(
      ProjectionCheckpoint,
      missing.map((p) => ({ name: p.name, position: 0, updated_at: new Date().toISOString() })),
    );
  }
  return missing.map((p) => p.name);
}
