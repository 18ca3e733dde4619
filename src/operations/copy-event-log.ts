import { raw, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections, type RebuildProgress } from '../../projections/rebuild.js';
import { EventRecord } from '../event-store/event.entity.js';
import type { Database } from '../db/connect-database.js';
import { dialectOf } from '../db/dialect.js';
import { copyKnowledge, type KnowledgeCopied } from './copy-knowledge.js';

type EventRow = InferEntity<typeof EventRecord>;

export type CopyProgress = { copied: number; position: number; eventsPerSecond: number };

export type CopyOptions = {
  batchSize?: number;
  append?: boolean;
  onProgress?: (progress: CopyProgress) => void;
  onRebuildProgress?: (progress: RebuildProgress) => void;
};

export type CopyResult = {
  copied: number;
  after: number;
  lastPosition: number;
  rebuilt: boolean;
  /** The uploaded files and chunk vectors copied along (see copy-knowledge.ts). */
  knowledge: KnowledgeCopied;
};

/** The target already holds events and the caller did not ask to append to them. */
export class NonEmptyTargetError extends Error {
  constructor(readonly lastPosition: number) {
    super(`the target database is not empty: its event log reaches position ${lastPosition}`);
    this.name = 'NonEmptyTargetError';
  }
}

/**
 * Copies the log of `source` into `target` as it is (positions, stream versions, metadata, timestamps),
 * batch by batch, each batch in its own transaction, then rebuilds every read model of the target.
 * With `append`, copies only the events after the target's last position, so a repeated run adds nothing.
 * The uploaded files and the chunks' vectors go along.
 * Run it while no server writes to either database.
 */
export async function copyEventLog(source: Database, target: Database, options: CopyOptions = {}): Promise<CopyResult> {
  const after = await lastPosition(target.em());
  if (after > 0 && !options.append) throw new NonEmptyTargetError(after);
  const { copied, position } = await copyBatches(source, target, after, options);
  if (copied > 0) await advanceSequence(target.em());
  const knowledge = await copyKnowledge(source, target);
  const rebuilt = copied > 0 || (await projectionsLag(target.em(), position));
  if (rebuilt) {
    await rebuildProjections(target.em(), projectors, {
      batchSize: options.batchSize,
      onProgress: options.onRebuildProgress,
    });
  }
  return { copied, after, lastPosition: position, rebuilt, knowledge };
}

async function copyBatches(source: Database, target: Database, after: number, options: CopyOptions) {
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  let position = after;
  let copied = 0;
  for (;;) {
    const batch = await readBatch(source.em(), position, batchSize);
    if (batch.length === 0) break;
    await target.em().transactional((tx) => tx.createQueryBuilder(EventRecord).insert(batch).execute('run', false));
    copied += batch.length;
    position = batch.at(-1)!.position;
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ copied, position, eventsPerSecond: Math.round(copied / Math.max(seconds, 1e-3)) });
  }
  return { copied, position };
}

async function readBatch(em: EntityManager, after: number, limit: number): Promise<EventRow[]> {
  const rows = await em.find(
    EventRecord,
    { position: { $gt: after } },
    { orderBy: { position: 'asc' }, limit, disableIdentityMap: true },
  );
  return rows.map((row) => ({
    position: Number(row.position),
    stream_id: row.stream_id,
    stream_type: row.stream_type,
    stream_version: row.stream_version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    schema_version: row.schema_version,
    created_at: row.created_at,
  }));
}

export async function lastPosition(em: EntityManager): Promise<number> {
  const [row] = await em
    .createQueryBuilder(EventRecord)
    .select(raw('max(position) as position'))
    .execute<{ position: number | string | null }[]>('all', false);
  return Number(row?.position ?? 0);
}

/** PostgreSQL's bigserial does not see explicit positions; SQLite's autoincrement already has. */
async function advanceSequence(em: EntityManager): Promise<void> {
  if (dialectOf(em) === 'sqlite') return;
  await em.execute("select setval(pg_get_serial_sequence('events', 'position'), (select max(position) from events))");
}

async function projectionsLag(em: EntityManager, position: number): Promise<boolean> {
  const checkpoints = await em.find(ProjectionCheckpoint, {}, { disableIdentityMap: true });
  return checkpoints.some((checkpoint) => Number(checkpoint.position) < position);
}
