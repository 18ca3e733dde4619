import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { readWholeLog } from '../support/read-log.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
});

/**
 * An append that has taken its log position and not committed yet, on a connection of its own: PostgreSQL lets a
 * later position commit before it. Only the event is written (no read model): the feed reads the log alone.
 */
async function appendHeldOpen(): Promise<{ projectId: string; commit: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  const projectId = uuidv7();
  await client.query('begin');
  await client.query(
    `insert into events (stream_id, stream_type, stream_version, type, data, metadata, schema_version, created_at)
     values ($1, 'project', 1, 'ProjectCreated', $2, '{}', 1, $3)`,
    [
      projectId,
      JSON.stringify({ project_id: projectId, name: 'late', description: null, metadata: {} }),
      new Date().toISOString(),
    ],
  );
  return {
    projectId,
    commit: async () => {
      await client.query('commit');
      await client.end();
    },
  };
}

describe('GET /api/events/stream with an append committing after a later position (PostgreSQL)', () => {
  it('sends the late event, in position order, to a stream that asked for the events after a position before it', async () => {
    const from = (await readWholeLog(api)).at(-1)?.position ?? 0;
    const late = await appendHeldOpen();
    const early = (await api.post('/api/projects', { name: 'committed first' })).body.id as string;
    const stream = await openSse(`${server.url}/api/events/stream`, { headers: { 'Last-Event-ID': String(from) } });
    await sleep(300);
    await late.commit();
    await stream.waitFor((e) => e.json.stream_id === early);
    await stream.waitFor((e) => e.json.stream_id === late.projectId);
    stream.abort();
    const log = (await readWholeLog(api)).filter((e) => e.position > from);
    expect(log.map((e) => e.stream_id)).toEqual([late.projectId, early]);
    expect(stream.events.map((e) => Number(e.id))).toEqual(log.map((e) => e.position));
  });

  it('starts a stream without a position once the appends in flight ended, so that what commits after its headers is all sent', async () => {
    const late = await appendHeldOpen();
    await api.post('/api/projects', { name: 'committed first' });
    let openedAt = Number.POSITIVE_INFINITY;
    const opening = openSse(`${server.url}/api/events/stream`).then((stream) => {
      openedAt = performance.now();
      return stream;
    });
    await sleep(300);
    const committedAt = performance.now();
    await late.commit();
    const stream = await opening;
    // Its headers waited for the append in flight: that event was committed before them, so it is not sent.
    expect(openedAt).toBeGreaterThan(committedAt);
    const next = (await api.post('/api/projects', { name: 'after the headers' })).body.id as string;
    await stream.waitFor((e) => e.json.stream_id === next);
    stream.abort();
    expect(stream.events.map((e) => e.json.stream_id)).toEqual([next]);
  });
});
