import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDatabase = { url: string; driver: 'sqlite' | 'postgresql'; drop: () => Promise<void> };

/**
 * A fresh, empty database for one test file: a new SQLite file, or, in the PostgreSQL run,
 * a new database on the server named by TEST_DATABASE_URL.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  return freshDatabaseOn(process.env.TEST_DRIVER === 'postgresql' ? 'postgresql' : 'sqlite');
}

/** A fresh, empty database of the driver named, whichever run this is (PostgreSQL needs TEST_DATABASE_URL). */
export async function freshDatabaseOn(driver: TestDatabase['driver']): Promise<TestDatabase> {
  if (driver === 'postgresql') return freshPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-test-'));
  return {
    url: `sqlite:${join(dir, 'test.db')}`,
    driver: 'sqlite',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function freshPostgres(): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DRIVER=postgresql needs TEST_DATABASE_URL');
  const name = `gpt_oss_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    driver: 'postgresql',
    drop: () =>
      withClient(admin, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Runs `use` on a connection of its own to `url`, closed after. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
