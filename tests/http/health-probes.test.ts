import { afterAll, describe, expect, it } from 'vitest';
import { migrationNames } from '../../src/db/migrations/migrations.js';
import { httpClient, type Reply } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { startTestServer } from '../support/test-server.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function serverAndApi(overrides: { apiToken?: string } = {}) {
  const double = await startLlamaDouble();
  doubles.push(double);
  const server = await startTestServer({ llmApiUrl: double.url, ...overrides });
  return { server, api: httpClient(server.url) };
}

function expectNotReady(reply: Reply, kind: string): void {
  expect(reply.status).toBe(503);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(reply.body).toMatchObject({ type: `/problems/${kind}`, status: 503 });
  expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
}

describe('GET /health/live', () => {
  it('answers 200 live while the process answers, even with its database closed (it asks no database)', async () => {
    const { server, api } = await serverAndApi();
    const live = await api.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'live' });

    await server.services.db.orm.close(true);
    expect((await api.get('/health/live')).body).toEqual({ status: 'live' });
    expect((await api.get('/health')).status).toBe(503);
  });
});

describe('GET /health/ready', () => {
  it('answers 200 ready when the database is reachable and migrated and the server is not draining', async () => {
    const { api } = await serverAndApi();
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('answers 503 shutting-down once a shutdown drains the server, though the database is fine', async () => {
    const { server, api } = await serverAndApi();
    await server.services.drain.drain(0);
    const reply = await api.get('/health/ready');
    expectNotReady(reply, 'shutting-down');
    expect(reply.body.detail).toMatch(/shutting down/);
    expect((await api.get('/health')).status).toBe(200);
  });

  it('answers 503 database-unavailable when the database is unreachable', async () => {
    const { server, api } = await serverAndApi();
    await server.services.db.orm.close(true);
    const reply = await api.get('/health/ready');
    expectNotReady(reply, 'database-unavailable');
    expect(reply.body.detail).toMatch(/unreachable/);
  });

  it('answers 503 migrations-pending, naming the migration, when the database lacks one this version needs', async () => {
    const { server, api } = await serverAndApi();
    const newest = migrationNames.at(-1)!;
    await server.services.db.em().getConnection().execute('delete from mikro_orm_migrations where name = ?', [newest]);
    const reply = await api.get('/health/ready');
    expectNotReady(reply, 'migrations-pending');
    expect(reply.body.detail).toContain(newest);
  });

  it('answers 503 migrations-pending when the database has no migrations table at all', async () => {
    const { server, api } = await serverAndApi();
    await server.services.db.em().getConnection().execute('drop table mikro_orm_migrations');
    expectNotReady(await api.get('/health/ready'), 'migrations-pending');
  });
});

describe('the probes with API_TOKEN set', () => {
  it('answer without a token, like /health, while /api asks for one', async () => {
    const { api } = await serverAndApi({ apiToken: 'a-token-of-sixteen-chars' });
    expect((await api.get('/health/live')).status).toBe(200);
    expect((await api.get('/health/ready')).status).toBe(200);
    expect((await api.get('/api/projects')).status).toBe(401);
  });
});
