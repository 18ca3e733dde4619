import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { parseDatabaseUrl } from './database-url.js';
import { migrationNames, migrationOptions } from './migrations/migrations.js';

/** Applies pending migrations; cheap when there are none, because the migrator is loaded only then. */
export async function migrate(orm: MikroORM, databaseUrl: string): Promise<void> {
  if (!(await somethingPending(orm))) return;
  const { migrations } = await migrationOptions(parseDatabaseUrl(databaseUrl).kind);
  orm.config.set('migrations', { ...orm.config.get('migrations'), ...migrations });
  const { Migrator } = await import('@mikro-orm/migrations');
  await new Migrator(orm.em as EntityManager).up();
}

async function somethingPending(orm: MikroORM): Promise<boolean> {
  try {
    return (await pendingMigrations(orm.em as EntityManager)).length > 0;
  } catch {
    return true; // no migrations table yet: a new database
  }
}

/** The migrations this code knows that the database has not applied; throws when it has no migrations table. */
export async function pendingMigrations(em: EntityManager): Promise<string[]> {
  const rows: { name: string }[] = await em.getConnection().execute('select name from mikro_orm_migrations');
  const applied = new Set(rows.map((row) => row.name));
  return migrationNames.filter((name) => !applied.has(name));
}
