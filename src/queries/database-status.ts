import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../db/dialect.js';
import { sqliteWritability } from '../db/sqlite-writable.js';

/** How long a health check tries to take SQLite's write lock before it calls the database locked. */
const WRITE_LOCK_PATIENCE_MS = 1000;

export type DatabaseStatus = 'connected' | 'disconnected' | 'locked' | 'read_only';

/** Pooled connections the database dropped that the pool may not have noticed yet, each failing one query. */
const STALE_CONNECTION_TRIES = 3;

/** `select 1` on a connection that works: a pooled one the server dropped is not the database being down. */
export async function reachable(em: EntityManager): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await em.getConnection().execute('select 1');
      return;
    } catch (error) {
      if (attempt >= STALE_CONNECTION_TRIES) throw error;
    }
  }
}

/** Reachable and writable; on SQLite a reader may pass while every write fails, so a write is tried too. */
export async function databaseStatus(em: EntityManager): Promise<DatabaseStatus> {
  try {
    await reachable(em);
    if (dialectOf(em) !== 'sqlite') return 'connected';
    const writability = await sqliteWritability(em, WRITE_LOCK_PATIENCE_MS);
    return writability === 'writable' ? 'connected' : writability;
  } catch {
    return 'disconnected';
  }
}
