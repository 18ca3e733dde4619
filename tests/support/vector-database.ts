import type { EntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { freshDatabase, type TestDatabase } from './test-database.js';

/**
 * A fresh database with the app's migrations for a test file that calls the vector index directly: opened before
 * its tests, dropped after them. Returns a getter of an entity manager (each call a fresh one).
 */
export function vectorIndexDatabase(): () => EntityManager {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    db = await openDatabase(database.url);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  return () => db!.em();
}
