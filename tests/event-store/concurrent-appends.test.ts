import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { projectors } from '../../projections/projectors.js';

let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
});

afterAll(async () => {
  await server.close();
});

const CREATIONS = 400;
const AT_ONCE = 50;

describe('many appends at once, each on a stream of its own', () => {
  it('all succeed (no deadlock on the shared checkpoint rows), and every checkpoint ends at the last event', async () => {
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < CREATIONS) {
          next++;
          statuses.push((await api.post('/api/conversations', { title: 'at once' })).status);
        }
      }),
    );
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(statuses).toHaveLength(CREATIONS);

    const log = await api.get(`/api/events?limit=1000`);
    const created = (log.body.items as { type: string }[]).filter((e) => e.type === 'ConversationCreated');
    expect(created).toHaveLength(CREATIONS);
    const last = Math.max(...(log.body.items as { position: number }[]).map((e) => e.position));
    const rows = await server.services.db.em().find(ProjectionCheckpoint, {}, { disableIdentityMap: true });
    expect(Object.fromEntries(rows.map((row) => [row.name, Number(row.position)]))).toEqual(
      Object.fromEntries(projectors.map((p) => [p.name, last])),
    );
  });
});
