import type { EntityManager } from '@mikro-orm/knex';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { pendingMigrations } from '../db/migrate.js';
import { reachable } from './database-status.js';

export type DatabaseReadiness = { ready: true } | { ready: false; reason: 'unreachable' } | MigrationsPending;
type MigrationsPending = { ready: false; reason: 'migrations_pending'; pending: string[] };

/** Reachable, and every migration this code knows applied (none when there is no migrations table yet). */
export async function databaseReadiness(em: EntityManager): Promise<DatabaseReadiness> {
  try {
    await reachable(em);
  } catch {
    return { ready: false, reason: 'unreachable' };
  }
  let pending: string[];
  try {
    pending = await pendingMigrations(em);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { ready: false, reason: 'unreachable' };
    return { ready: false, reason: 'migrations_pending', pending: ['all (no migrations table)'] };
  }
  return pending.length === 0 ? { ready: true } : { ready: false, reason: 'migrations_pending', pending };
}
