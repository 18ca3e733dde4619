import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/startup/open-database.js';
import { migrationNames } from '../../src/db/migrations/migrations.js';
import { freshDatabase, withClient, type TestDatabase } from '../support/test-database.js';

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

describe('instances starting at the same time on one new PostgreSQL database', () => {
  it('all start, and each migration is applied once', async () => {
    const database = await freshDatabase();
    databases.push(database);
    const opened = await Promise.allSettled(Array.from({ length: 4 }, () => openDatabase(database.url)));
    for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
    expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual(
      opened.map(() => 'ok'),
    );
    const applied = await withClient(database.url, (client) =>
      client.query<{ name: string }>('select name from mikro_orm_migrations order by id'),
    );
    expect(applied.rows.map((row) => row.name)).toEqual([...migrationNames]);
  });
});
