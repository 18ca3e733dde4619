import { afterAll, describe, expect, it } from 'vitest';
import { ProjectView } from '../../projections/project.entity.js';
import { uuidv7 } from '../../src/ids.js';
import { httpClient } from '../support/http-client.js';
import { tableRows, withOrm } from '../support/read-model-rows.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { apiSnapshot } from '../support/api-snapshot.js';

const databases: TestDatabase[] = [];

afterAll(async () => {
  killServerProcesses();
  for (const database of databases.splice(0)) await database.drop();
});

/** The projector's own error, as each database words it. */
const DUPLICATE_ROW = /UNIQUE constraint failed: projects\.id|duplicate key value violates unique constraint/;

describe('a projector that throws during an append', () => {
  it('rolls the whole append back (no event, no read model row), answers a 500 problem with its request id and logs the cause', async () => {
    const database = await freshDatabase();
    databases.push(database);
    const server = await startServerProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'info',
    });
    const api = httpClient(server.url);
    const existing = await api.post('/api/projects', { name: 'Existing' });
    expect(existing.status).toBe(201);

    // The read model out of sync with the log: a row under an id no event ever created. The project projector
    // inserts the row of a new project, and fails on this one.
    const taken = uuidv7();
    await withOrm(database.url, (orm) =>
      orm.em.fork().nativeUpdate(ProjectView, { id: existing.body.id }, { id: taken }),
    );
    const rowsBefore = await tableRows(database.url);
    const before = await apiSnapshot(api);

    const reply = await api.post('/api/projects', { id: taken, name: 'Clashes with the read model' });
    expect(reply.status).toBe(500);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const requestId = reply.headers.get('x-request-id');
    expect(reply.body).toEqual({
      type: '/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      request_id: requestId,
    });

    expect(await apiSnapshot(api)).toEqual(before);
    expect(await tableRows(database.url)).toEqual(rowsBefore);

    const failure = server.logs().find((line) => line.request_id === requestId && line.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, err: { message: expect.stringMatching(DUPLICATE_ROW) } });

    // The server goes on: other commands are not affected.
    expect((await api.post('/api/projects', { name: 'Next' })).status).toBe(201);
    await server.stop();
  }, 90_000);
});
