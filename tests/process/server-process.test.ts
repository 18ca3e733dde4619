import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../mikro-orm.config.js';
import { migrationNames } from '../../src/db/migrations/migrations.js';
import { startServer } from '../../src/server.js';
import { httpClient } from '../support/http-client.js';
import { killServerProcesses, spawnServerProcess } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';
import { projectors } from '../../projections/projectors.js';

const TEST_TIMEOUT = 90_000;

const databases: TestDatabase[] = [];
const dirs: string[] = [];

afterAll(async () => {
  killServerProcesses();
  for (const database of databases.splice(0)) await database.drop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `node dist/server.mjs` with only the configuration given here (and an LLM that is not there). */
const spawnServer = (env: Record<string, string>) => spawnServerProcess({ LLM_API_URL: 'http://127.0.0.1:9', ...env });

async function database(): Promise<TestDatabase> {
  const created = await freshDatabase();
  databases.push(created);
  return created;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-process-'));
  dirs.push(dir);
  return dir;
}

describe('the server process (node dist/server.mjs)', () => {
  it(
    'listens on the port the OS picks for PORT=0 and serves /health and /api/projects from DATABASE_URL',
    async () => {
      const db = await database();
      // A project written before the process starts: the process must serve this very database.
      const before = await startServer(testConfig(db.url));
      const seeded = await httpClient(before.url).post('/api/projects', { name: 'Seeded before start' });
      expect(seeded.status).toBe(201);
      await before.close();

      const server = spawnServer({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, LOG_LEVEL: 'info' });
      try {
        const url = await server.listening();
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(Number(new URL(url).port)).toBeGreaterThan(0);
        const api = httpClient(url);

        const health = await api.get('/health');
        expect(health.status).toBe(200);
        expect(health.body).toEqual({
          status: 'degraded',
          database: 'connected',
          llm_service: 'disconnected',
          embedding_service: 'disabled',
        });

        const created = await api.post('/api/projects', { name: 'Created through the process' });
        expect(created.status).toBe(201);
        const list = await api.get('/api/projects');
        expect(list.status).toBe(200);
        expect(list.body.items.map((p: { name: string }) => p.name)).toEqual([
          'Created through the process',
          'Seeded before start',
        ]);
        expect(list.headers.get('x-request-id')).toBeTruthy();
      } finally {
        expect(await server.stop(), server.describeExit()).toBe(0);
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'exits with code 0 on SIGTERM after logging "shutting down", and the data it wrote is kept',
    async () => {
      const db = await database();
      const server = spawnServer({ PORT: '0', DATABASE_URL: db.url, LOG_LEVEL: 'info' });
      const url = await server.listening();
      const created = await httpClient(url).post('/api/projects', { name: 'Survives shutdown' });
      expect(created.status).toBe(201);

      expect(await server.stop(), server.describeExit()).toBe(0);
      const shutdown = server.logs().find((log) => log.msg === 'shutting down');
      expect(shutdown).toMatchObject({ level: 30, signal: 'SIGTERM', service: 'gpt-oss-backend' });
      expect(server.stderr()).toBe('');
      await expect(fetch(`${url}/health`)).rejects.toThrow();

      const after = await startServer(testConfig(db.url));
      try {
        const read = await httpClient(after.url).get(`/api/projects/${created.body.id}`);
        expect(read.status).toBe(200);
        expect(read.body.name).toBe('Survives shutdown');
      } finally {
        await after.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'exits with code 1 and a message naming PORT, without starting, when PORT=abc',
    async () => {
      const dir = tempDir();
      const file = join(dir, 'never', 'created.db');
      const server = spawnServer({ PORT: 'abc', DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info' });
      expect(await server.exited, server.describeExit()).toBe(1);
      expect(server.stderr()).toMatch(/Configuration error: .*PORT="abc"/);
      expect(server.logs().some((log) => log.msg === 'listening')).toBe(false);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    },
    TEST_TIMEOUT,
  );
});

// The database file is SQLite's own concern: this describe exists only in the SQLite run.
if (process.env.TEST_DRIVER !== 'postgresql') {
  describe('the server process on a new SQLite file', () => {
    it(
      'creates the missing directories and the file, applies the schema and serves empty listings',
      async () => {
        const dir = tempDir();
        const file = join(dir, 'not', 'yet', 'there.db');
        const server = spawnServer({ PORT: '0', DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'info' });
        try {
          const api = httpClient(await server.listening());
          expect(existsSync(file)).toBe(true);
          expect((await api.get('/api/projects')).body).toEqual({ items: [], next_cursor: null });
          expect((await api.get('/api/conversations')).body).toEqual({ items: [], next_cursor: null });
          expect((await api.get('/api/events')).body).toEqual({ items: [], next_after: 0 });
        } finally {
          expect(await server.stop(), server.describeExit()).toBe(0);
        }

        const orm = await MikroORM.init(await ormConfig(`sqlite:${file}`));
        try {
          const connection = orm.em.getConnection();
          const tables: { name: string }[] = await connection.execute(
            "select name from sqlite_master where type = 'table' order by name",
          );
          expect(tables.map((t) => t.name)).toEqual(
            expect.arrayContaining([
              'conversations',
              'events',
              'messages',
              'mikro_orm_migrations',
              'projection_checkpoints',
              'projects',
            ]),
          );
          const migrations: { name: string }[] = await connection.execute('select name from mikro_orm_migrations');
          expect(migrations.map((m) => m.name)).toEqual([...migrationNames]);
          const checkpoints: { name: string; position: number }[] = await connection.execute(
            'select name, position from projection_checkpoints order by name',
          );
          expect(checkpoints).toEqual(
            projectors
              .map((p) => p.name)
              .sort()
              .map((name) => ({ name, position: 0 })),
          );
          const [journal] = (await connection.execute('pragma journal_mode')) as { journal_mode: string }[];
          expect(journal?.journal_mode).toBe('wal');
        } finally {
          await orm.close(true);
        }
      },
      TEST_TIMEOUT,
    );
  });
}
