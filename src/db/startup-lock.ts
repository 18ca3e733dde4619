import { parseDatabaseUrl } from './database-url.js';

/** Advisory lock keys of this service: (namespace, key). Instance liveness uses (7474, hashtext(instance id)). */
export const STARTUP_LOCK = [7475, 0] as const;

/**
 * Runs `work` while no other process of this service prepares the same PostgreSQL database: instances that start
 * together would otherwise race to apply the same migration. SQLite needs none: one machine's cluster primary
 * prepares it alone.
 */
export async function withStartupLock<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'sqlite') return work();
  const { Client } = (await import('pg')).default;
  const client = new Client({ connectionString: target.url, application_name: 'assistant-startup' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1, $2)', [...STARTUP_LOCK]);
    return await work();
  } finally {
    // Ending the session releases the lock, also when `work` failed.
    await client.end();
  }
}
