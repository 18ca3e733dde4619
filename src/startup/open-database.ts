import { connectDatabase, type Database } from '../db/connect-database.js';
import { migrate } from '../db/migrate.js';
import { withStartupLock } from '../db/startup-lock.js';
import { fillNewProjectors } from './fill-new-projectors.js';

/**
 * Connects, applies pending migrations (an upgrade never drops data), and replays the log into any projector
 * that has never run, so a newly added read model starts complete. Instances that start together on one
 * PostgreSQL database do this one after the other.
 */
export async function openDatabase(databaseUrl: string, log?: (message: string) => void): Promise<Database> {
  const db = await connectDatabase(databaseUrl);
  try {
    await withStartupLock(databaseUrl, async () => {
      await migrate(db.orm, databaseUrl);
      await fillNewProjectors(db.em, log);
    });
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
