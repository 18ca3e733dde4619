import type { EntityManager } from '@mikro-orm/knex';
import { nowMsSql } from '../db/now-ms.js';
import type { Logger } from '../logger.js';

export const HEARTBEAT_MS = 5_000;
/** A process silent for this long counts as dead. */
export const LEASE_MS = 30_000;

/** SQLite: a row in `instances` refreshed every HEARTBEAT_MS; returns what withdraws it. */
export async function startHeartbeat(
  em: () => EntityManager,
  instanceId: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const beat = () =>
    em().execute(
      `insert into instances (id, heartbeat_at) values (?, ${nowMsSql('sqlite')}) ` +
        'on conflict (id) do update set heartbeat_at = excluded.heartbeat_at',
      [instanceId],
      'run',
    );
  await beat();
  const timer = setInterval(() => {
    beat().catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await em().execute('delete from instances where id = ?', [instanceId], 'run');
  };
}

/** Deletes the heartbeat of a process known to be dead, so its answers count as abandoned at once. */
export async function forgetInstance(em: EntityManager, instanceId: string): Promise<void> {
  await em.execute('delete from instances where id = ?', [instanceId], 'run');
}
