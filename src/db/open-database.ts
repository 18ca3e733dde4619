import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ormConfig } from '../../mikro-orm.config.js';
import { ensureCheckpoints, rebuildProjections } from '../../projections/rebuild.js';
import { projectors } from '../../projections/projectors.js';
import { readAll } from '../event-store/read-all.js';
import { migrate } from './migrate.js';
import { withStartupLock } from './startup-lock.js';

export type Database = { orm: MikroORM; em: () => EntityManager; close: () => Promise<void> };

/**
 * Connects, applies pending migrations (an upgrade never drops data), and replays the log into
 * any projector that has never run, so a newly added read model starts complete. Instances that start
 * together on one PostgreSQL database do this one after the other.
 */
export async function openDatabase(databaseUrl: string, log?: (message: string) => void): Promise<Database> {
  const orm = await MikroORM.init(await ormConfig(databaseUrl));
  const em = () => orm.em.fork() as EntityManager;
  try {
    await withStartupLock(databaseUrl, async () => {
      await migrate(orm, databaseUrl);
      const added = await ensureCheckpoints(em(), projectors);
      const logIsEmpty = (await readAll(em(), 0, 1)).length === 0;
      if (added.length > 0 && !logIsEmpty) {
        log?.(`Replaying the event log into new projectors: ${added.join(', ')}`);
        await rebuildProjections(
          em(),
          projectors.filter((p) => added.includes(p.name)),
        );
      }
    });
    return { orm, em, close: () => orm.close(true) };
  } catch (error) {
    await orm.close(true);
    throw error;
  }
}
