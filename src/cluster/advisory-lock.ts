import pg from 'pg';
import type { Logger } from '../logger.js';

/** The first half of every advisory lock key this service takes; the second is hashtext(instance id). */
export const LOCK_NAMESPACE = 7474;
const RECONNECT_MS = 1000;

/**
 * PostgreSQL: a session advisory lock on a connection of its own. The server drops it the moment the process
 * dies, however it dies, so the others see at once that it is gone. Returns what releases it.
 */
export async function holdInstanceLock(url: string, instanceId: string, logger: Logger): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let released = false;
  const connect = async () => {
    const next = new pg.Client({ connectionString: url, application_name: `assistant-liveness ${instanceId}` });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'the liveness connection to PostgreSQL failed; reconnecting');
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      reconnect();
    });
    await next.connect();
    await next.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, instanceId]);
    if (released) return void (await next.end());
    client = next;
  };
  const reconnect = () => {
    if (released) return;
    setTimeout(() => {
      connect().catch((error: unknown) => {
        logger.warn({ err: error }, 'could not reconnect the liveness connection to PostgreSQL');
        reconnect();
      });
    }, RECONNECT_MS).unref();
  };
  await connect();
  return async () => {
    released = true;
    await client?.end().catch(() => undefined);
    client = undefined;
  };
}
