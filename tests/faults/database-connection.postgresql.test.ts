import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { freshDatabase, withClient, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';
import { apiSnapshot } from '../support/api-snapshot.js';
import { expectDatabaseUnavailable } from '../support/database-unavailable.js';

let database: TestDatabase;
let double: LlamaDouble;
let proxy: TcpProxy;
let server: RunningServer;
let api: HttpClient;

/** The server reaches PostgreSQL only through a TCP proxy the tests can cut, as a network or a crash would. */
beforeAll(async () => {
  database = await freshDatabase();
  const direct = new URL(database.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  double = await startLlamaDouble();
  server = await startServer(testConfig(proxied.toString(), { llmApiUrl: double.url }));
  api = httpClient(server.url);
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await double?.close();
  await database?.drop();
});

/** Runs `use` on an admin connection of its own, straight to the test database (not through the proxy). */
const asAdmin = <T>(use: Parameters<typeof withClient<T>>[1]) => withClient(database.url, use);

const TERMINATE_OTHERS =
  'select pid, pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()';

async function newProject(name: string): Promise<string> {
  const reply = await api.post('/api/projects', { name });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

describe('PostgreSQL unreachable (every connection cut, new ones refused)', () => {
  it('/health/ready says 503 database-unavailable and /health/live 200 while it is cut; ready again by itself', async () => {
    expect((await api.get('/health/ready')).status).toBe(200);
    await proxy.cut();
    try {
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(ready.body).toMatchObject({ type: '/problems/database-unavailable', status: 503 });
      expect((await api.get('/health/live')).status).toBe(200);
    } finally {
      await proxy.restore();
    }
    await vi.waitFor(async () => expect((await api.get('/health/ready')).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
  });

  it('/health says 503 disconnected, commands, reads and chats answer 503 + Retry-After; service resumes by itself', async () => {
    const projectId = await newProject('Before the outage');
    const conversation = await api.post('/api/conversations', { project_id: projectId });
    expect(conversation.status).toBe(201);
    const before = await apiSnapshot(api);

    await proxy.cut();
    try {
      const health = await api.get('/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({
        status: 'unhealthy',
        database: 'disconnected',
        llm_service: 'connected',
        embedding_service: 'disabled',
      });
      expectDatabaseUnavailable(await api.post('/api/projects', { name: 'During the outage' }));
      expectDatabaseUnavailable(await api.patch(`/api/projects/${projectId}`, { name: 'Renamed' }));
      expectDatabaseUnavailable(await api.get('/api/projects'));
      expectDatabaseUnavailable(
        await openSse(`${server.url}/api/chat/stream`, {
          body: { conversation_id: conversation.body.id, message: 'Anyone?' },
        }),
      );
    } finally {
      await proxy.restore();
    }

    await vi.waitFor(async () => expect((await api.get('/health')).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await apiSnapshot(api)).toEqual(before);
    await newProject('After the outage');
    expect((await api.patch(`/api/projects/${projectId}`, { name: 'Renamed' })).status).toBe(200);
    const after = await apiSnapshot(api);
    expect(after.events.map((e) => e.type)).toEqual([
      ...before.events.map((e) => e.type),
      'ProjectCreated',
      'ProjectUpdated',
    ]);
  }, 60_000);
});

describe('PostgreSQL dropping the connections (pg_terminate_backend)', () => {
  it('the pool replaces them by itself: /health, reads and commands succeed right after', async () => {
    await newProject('Warm the pool');
    await asAdmin(async (admin) => {
      const { rows } = await admin.query<{ pid: number }>(TERMINATE_OTHERS);
      expect(rows.length).toBeGreaterThan(0);
      // Gone on the server's side; the app's pool learns it from the closed sockets, not from a failed query.
      await vi.waitFor(
        async () => {
          const left = await admin.query('select 1 from pg_stat_activity where pid = any($1)', [
            rows.map((r) => r.pid),
          ]);
          expect(left.rowCount).toBe(0);
        },
        { timeout: 10_000, interval: 50 },
      );
    });

    expect(await api.get('/health')).toMatchObject({ status: 200, body: { database: 'connected' } });
    expect((await api.get('/api/projects')).status).toBe(200);
    await newProject('After the drop');
  });

  it('one dropped in the middle of an append (event and projection written, not committed): 503, neither is stored', async () => {
    const before = await apiSnapshot(api);
    const name = 'Dropped mid-append';
    // One admin session holds the projection checkpoints: the append inserts its event and projects it, then waits
    // for them. Another finds that waiting append and terminates its connection.
    const outcome = await asAdmin(async (holder) => {
      await holder.query('begin');
      await holder.query('select name from projection_checkpoints for update');
      const reply = api.post('/api/projects', { name });
      try {
        const pid = await asAdmin((watcher) =>
          vi.waitFor(
            async () => {
              const { rows } = await watcher.query<{ pid: number }>(
                `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
                     and query like 'select name from projection_checkpoints where % for update'`,
              );
              expect(rows).toHaveLength(1);
              return rows[0]!.pid;
            },
            { timeout: 10_000, interval: 50 },
          ),
        );
        await holder.query('select pg_terminate_backend($1)', [pid]);
      } finally {
        await holder.query('rollback');
      }
      return reply;
    });

    expectDatabaseUnavailable(outcome);
    expect(await apiSnapshot(api)).toEqual(before);
    const counts = await asAdmin((client) =>
      client.query<{ events: string; projects: string }>(
        `select (select count(*) from events) as events, (select count(*) from projects where name = $1) as projects`,
        [name],
      ),
    );
    expect(counts.rows[0]).toEqual({ events: String(before.events.length), projects: '0' });

    // The retry succeeds on a new connection.
    await newProject(name);
  }, 30_000);
});

describe('PostgreSQL unreachable when a streaming answer ends', () => {
  it(
    'the client gets an error event with every token; once the database is back the answer is stored failed with ' +
      'its text, and the conversation takes the next question',
    async () => {
      double.configure({ tokens: 30, tokenDelayMs: 100 });
      const conversation = await api.post('/api/conversations', {});
      expect(conversation.status).toBe(201);
      const conversation_id: string = conversation.body.id;
      const stream = await openSse(`${server.url}/api/chat/stream`, {
        body: { conversation_id, message: 'A long answer, please' },
      });
      expect(stream.status).toBe(200);
      const { message_id } = (await stream.next('start')).json;
      await stream.tokens(3);

      await proxy.cut();
      let events;
      try {
        events = await stream.ended;
      } finally {
        await proxy.restore();
      }
      expect(events.at(-1)?.json).toEqual({
        type: 'error',
        error: 'The answer could not be stored: the database is unavailable',
        error_type: 'internal',
      });
      const text = stream.text();
      expect(text.split(' ').length).toBeGreaterThan(20);

      const stored = await vi.waitFor(
        async () => {
          const reply = await api.get(`/api/messages/${message_id}`);
          expect(reply.body.status).toBe('failed');
          return reply.body;
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(stored).toMatchObject({ content: text, metadata: { error_type: 'internal' } });

      double.reset();
      const next = await openSse(`${server.url}/api/chat/stream`, {
        body: { conversation_id, message: 'Again?' },
      });
      expect(next.status).toBe(200);
      expect((await next.ended).at(-1)?.json).toMatchObject({ type: 'complete' });
    },
    60_000,
  );
});
