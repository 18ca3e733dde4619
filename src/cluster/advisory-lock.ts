import type { Logger } from '../logger.js';
import { keepConnected } from './dedicated-connection.js';

/** The first half of every advisory lock key this service takes; the second is hashtext(instance id). */
export const LOCK_NAMESPACE = 7474;

/**
 * PostgreSQL: a session advisory lock on a connection of its own. The server drops it the moment the process
 * dies, however it dies, so the others see at once that it is gone. Returns what releases it.
 */
export async function holdInstanceLock(url: string, instanceId: string, logger: Logger): Promise<() => Promise<void>> {
  const connection = await keepConnected(
    url,
    `assistant-liveness ${instanceId}`,
    async (client) => {
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as locked',
        [LOCK_NAMESPACE, instanceId],
      );
      // Only a 32-bit hash collision with a live instance's id could take it; a new start draws a new id.
      if (!rows[0]?.locked) throw new Error(`the liveness lock of instance ${instanceId} is held by another process`);
    },
    logger,
  );
  return connection.close;
}
