import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http-client.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';
import { apiSnapshot } from '../support/api-snapshot.js';
import { expectDatabaseUnavailable } from '../support/database-unavailable.js';

const lockers: Sqlite.Database[] = [];

afterAll(() => {
  for (const locker of lockers.splice(0)) locker.close();
});

/** A second connection to the server's SQLite file, as another process would open it. */
function otherConnection(databaseUrl: string): Sqlite.Database {
  const locker = new Sqlite(databaseUrl.replace(/^sqlite:/, ''));
  lockers.push(locker);
  return locker;
}

describe(
  'SQLite locked by another process for longer than the busy timeout (PostgreSQL has no database-wide write ' +
    'lock; its faults are in database-connection.postgresql.test.ts)',
  () => {
    it('commands and chats answer 503 + Retry-After without writing, /health says locked; once released all works again', async () => {
      const server = await startTestServer();
      const api = httpClient(server.url);
      const project = await api.post('/api/projects', { name: 'Before the lock' });
      expect(project.status).toBe(201);
      const conversation = await api.post('/api/conversations', { project_id: project.body.id });
      expect(conversation.status).toBe(201);
      const before = await apiSnapshot(api);

      const locker = otherConnection(server.database.url);
      locker.exec('begin immediate');
      try {
        expectDatabaseUnavailable(await api.post('/api/projects', { name: 'During the lock' }));
        expectDatabaseUnavailable(await api.patch(`/api/projects/${project.body.id}`, { name: 'Renamed' }));
        const chat = await openSse(`${server.url}/api/chat/stream`, {
          body: { conversation_id: conversation.body.id, message: 'Anyone?' },
        });
        expect(chat.events).toEqual([]);
        expectDatabaseUnavailable(chat);

        const health = await api.get('/health');
        expect(health.status).toBe(503);
        expect(health.body).toEqual({
          status: 'unhealthy',
          database: 'locked',
          llm_service: 'disconnected',
          embedding_service: 'disabled',
        });
        // Readers are not blocked by a writer (WAL): nothing of the failed commands shows.
        expect(await apiSnapshot(api)).toEqual(before);
      } finally {
        locker.exec('rollback');
      }

      expect(await api.get('/health')).toMatchObject({ status: 200, body: { database: 'connected' } });
      const after = await api.post('/api/projects', { name: 'After the lock' });
      expect(after.status).toBe(201);
      expect((await api.patch(`/api/projects/${project.body.id}`, { name: 'Renamed' })).status).toBe(200);
      const state = await apiSnapshot(api);
      expect(state.events.map((e) => e.type)).toEqual([
        ...before.events.map((e) => e.type),
        'ProjectCreated',
        'ProjectUpdated',
      ]);
      expect(state.projects.map((p) => p.name).sort()).toEqual(['After the lock', 'Renamed']);
    }, 60_000);
  },
);
