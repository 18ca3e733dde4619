import type { Options } from '@mikro-orm/core';
import type { DatabaseTarget } from '../database-url.js';

/** Names of every migration, newest last; a start compares them with what the database has applied. */
export const migrationNames = ['0001-init', '0002-current-leaf'] as const;

/**
 * The migrator and the migration classes, loaded only when something is pending or the CLI asks:
 * @mikro-orm/migrations pulls in umzug and its command-line stack, a large share of start-up time.
 */
export async function migrationOptions(
  kind: DatabaseTarget['kind'],
): Promise<Pick<Options, 'extensions' | 'migrations'>> {
  const [{ Migrator }, sqlite1, postgresql1, sqlite2, postgresql2] = await Promise.all([
    import('@mikro-orm/migrations'),
    import('./sqlite-0001-init.js'),
    import('./postgresql-0001-init.js'),
    import('./sqlite-0002-current-leaf.js'),
    import('./postgresql-0002-current-leaf.js'),
  ]);
  const list =
    kind === 'postgresql'
      ? [postgresql1.PostgresqlInit, postgresql2.PostgresqlCurrentLeaf]
      : [sqlite1.SqliteInit, sqlite2.SqliteCurrentLeaf];
  return {
    extensions: [Migrator],
    migrations: {
      migrationsList: list.map((migration, i) => ({ name: migrationNames[i]!, class: migration })),
      snapshot: false,
      silent: true,
    },
  };
}
