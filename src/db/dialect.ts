import type { EntityManager } from '@mikro-orm/knex';
import { BetterSqlitePlatform } from '@mikro-orm/better-sqlite';

export type Dialect = 'sqlite' | 'postgresql';

/** Which engine an entity manager talks to, for the few statements that differ between them. */
export function dialectOf(em: EntityManager): Dialect {
  const platform = em.getPlatform();
  return platform instanceof BetterSqlitePlatform ? 'sqlite' : 'postgresql';
}
