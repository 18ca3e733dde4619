import { chmodSync, chownSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { httpClient } from '../support/http-client.js';
import { killServerProcesses, startServerProcess, type ProcessUser } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { apiSnapshot } from '../support/api-snapshot.js';
import { expectDatabaseUnavailable } from '../support/database-unavailable.js';

/** Root writes whatever the permissions say: as root, the server runs as `nobody`, whom they stop. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const user: ProcessUser = asRoot ? { uid: NOBODY, gid: NOBODY } : {};

const databases: TestDatabase[] = [];

afterAll(async () => {
  killServerProcesses();
  for (const database of databases.splice(0)) await database.drop();
});

/** The database file and its WAL companions, as they exist. */
function setMode(file: string, mode: number): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, mode);
}

describe('a SQLite file that is read-only when the server opens it', () => {
  it(
    '/health says read_only (503), commands answer 503 + Retry-After while reads work; once the file is ' +
      'writable again, writes succeed without a restart',
    async () => {
      const database = await freshDatabase();
      databases.push(database);
      const file = database.url.replace(/^sqlite:/, '');
      if (asRoot) chownSync(dirname(file), NOBODY, NOBODY);
      const env = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'info' };

      const first = await startServerProcess(env, user);
      expect((await httpClient(first.url).post('/api/projects', { name: 'Written before' })).status).toBe(201);
      expect(await first.stop()).toBe(0);

      // A restore from a backup with the wrong permissions, say: the file is read-only when the server starts.
      setMode(file, 0o444);
      const server = await startServerProcess(env, user);
      const api = httpClient(server.url);
      try {
        const before = await apiSnapshot(api);
        expect(before.projects.map((p) => p.name)).toEqual(['Written before']);
        expect(await api.get('/health')).toMatchObject({
          status: 503,
          body: { status: 'unhealthy', database: 'read_only' },
        });
        expectDatabaseUnavailable(await api.post('/api/projects', { name: 'Refused' }));
        expect(await apiSnapshot(api)).toEqual(before);
      } finally {
        setMode(file, 0o644);
      }

      await vi.waitFor(async () => expect((await api.get('/health')).body.database).toBe('connected'), {
        timeout: 10_000,
        interval: 200,
      });
      expect((await api.post('/api/projects', { name: 'Written after' })).status).toBe(201);
      expect((await apiSnapshot(api)).projects.map((p) => p.name).sort()).toEqual(['Written after', 'Written before']);
      expect(server.logs().some((line) => line.msg === 'request failed' && line.level === 50)).toBe(true);
      await server.stop();
    },
    120_000,
  );
});
