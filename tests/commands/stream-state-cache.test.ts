import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { httpClient } from '../support/http-client.js';
import { readWholeLog } from '../support/read-log.js';
import { serversOnOneDatabase } from '../support/servers-on-one-database.js';

/** Two servers on one database, as two workers or instances: each keeps its own cache of folded stream states. */
const cluster = serversOnOneDatabase(2);
let a: RunningServer;
let b: RunningServer;

beforeAll(() => {
  [a, b] = cluster.servers as [RunningServer, RunningServer];
});

describe('commands decided from cached stream states', () => {
  it('see what another process appended since: a rename after a delete made elsewhere is refused', async () => {
    const apiA = httpClient(a.url);
    const apiB = httpClient(b.url);
    const { id } = (await apiA.post('/api/conversations', { title: 'first' })).body;
    expect((await apiA.patch(`/api/conversations/${id}`, { title: 'cached here' })).status).toBe(200);
    expect((await apiB.delete(`/api/conversations/${id}`)).status).toBe(204);

    const late = await apiA.patch(`/api/conversations/${id}`, { title: 'too late' });
    // Decided on the deleted conversation: not found, as a process that never cached it would answer.
    expect(late.status).toBe(404);
    const stored = await apiB.get(`/api/conversations/${id}?include_deleted=true`);
    expect(stored.body).toMatchObject({ title: 'cached here', deleted_at: expect.any(String) });
  });

  it('stay right under concurrent commands on one stream: each rename lands once or gets 409, versions stay gap-free, If-Match follows', async () => {
    const api = httpClient(a.url);
    const { id } = (await api.post('/api/conversations', {})).body;
    const renames = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.patch(`/api/conversations/${id}`, { title: `title ${i}` })),
    );
    // Each is decided again after a clash, a few times; 30 writers at once on PostgreSQL's pool can exhaust that.
    const landed = renames.filter((reply) => reply.status === 200).length;
    expect(renames.filter((reply) => reply.status !== 200).map((reply) => reply.status)).toEqual(
      Array.from({ length: 30 - landed }, () => 409),
    );
    const versions = (await readWholeLog(api)).filter((e) => e.stream_id === id).map((e) => e.stream_version);
    expect(versions).toEqual(Array.from({ length: 1 + landed }, (_, i) => i + 1));

    const next = await api.patch(`/api/conversations/${id}`, { title: 'after' }, { 'If-Match': `W/"${1 + landed}"` });
    expect(next.status).toBe(200);
    expect(next.headers.get('etag')).toBe(`W/"${2 + landed}"`);
  });
});
