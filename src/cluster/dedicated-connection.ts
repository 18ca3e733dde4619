import type pg from 'pg';
import type { Logger } from '../logger.js';

const RECONNECT_MS = 1000;

export type DedicatedConnection = {
  /** The connection, or undefined while it is being re-established. */
  current: () => pg.Client | undefined;
  close: () => Promise<void>;
};

/**
 * A PostgreSQL connection of its own, outside the pool, for state that lives in a session (LISTEN, an advisory
 * lock). `setup` runs on every new connection; when the connection fails, it is made again after a second.
 * Resolves once the first connection is set up; rejects if that one fails.
 */
export async function keepConnected(
  url: string,
  name: string,
  setup: (client: pg.Client) => Promise<void>,
  logger: Logger,
): Promise<DedicatedConnection> {
  // Loaded here, not at start: a server on SQLite never needs the driver.
  const { Client } = (await import('pg')).default;
  let client: pg.Client | undefined;
  let closed = false;
  const connect = async () => {
    const next = new Client({ connectionString: url, application_name: name });
    next.on('error', (error) => {
      logger.warn({ err: error, connection: name }, 'a dedicated connection to PostgreSQL failed; reconnecting');
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      reconnect();
    });
    await next.connect();
    try {
      await setup(next);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) return void (await next.end());
    client = next;
  };
  const reconnect = () => {
    if (closed) return;
    setTimeout(() => {
      connect().catch((error: unknown) => {
        logger.warn({ err: error, connection: name }, 'could not reconnect to PostgreSQL');
        reconnect();
      });
    }, RECONNECT_MS).unref();
  };
  await connect();
  return {
    current: () => client,
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
