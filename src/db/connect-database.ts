import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ormConfig } from '../../mikro-orm.config.js';

export type Database = { orm: MikroORM; em: () => EntityManager; close: () => Promise<void> };

/** Connects with the app's ORM configuration; nothing is migrated or projected here (see src/startup). */
export async function connectDatabase(databaseUrl: string): Promise<Database> {
  const orm = await MikroORM.init(await ormConfig(databaseUrl));
  return { orm, em: () => orm.em.fork() as EntityManager, close: () => orm.close(true) };
}
