import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { freshDatabase, type TestDatabase } from './test-database.js';
import { testConfig } from './test-server.js';

/**
 * `count` servers in this process on one fresh database, as workers or instances would be, started before the
 * file's tests and stopped after. Read the servers from the returned array once the tests run.
 */
export function serversOnOneDatabase(count: number): { servers: RunningServer[]; database: () => TestDatabase } {
  const servers: RunningServer[] = [];
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    for (let i = 0; i < count; i++) servers.push(await startServer(testConfig(database.url)));
  });
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.close();
    await database?.drop();
  });
  return { servers, database: () => database! };
}
