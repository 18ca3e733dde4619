import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { httpClient } from '../support/http-client.js';
import { readWholeLog } from '../support/read-log.js';
import { serversOnOneDatabase } from '../support/servers-on-one-database.js';
import { openSse } from '../support/sse-client.js';

/**
 * Two servers on one database, as two workers or instances would be: on PostgreSQL they signal each other, on
 * SQLite (in one test process) they have no link and the feed finds the other's events by reading the log.
 */
const cluster = serversOnOneDatabase(2);
let a: RunningServer;
let b: RunningServer;

beforeAll(() => {
  [a, b] = cluster.servers as [RunningServer, RunningServer];
});

describe('GET /api/events/stream across two servers on one database', () => {
  it('a stream on one server catches up and follows what both servers commit, every event once, in log order', async () => {
    const [apiA, apiB] = [httpClient(a.url), httpClient(b.url)];
    for (let i = 0; i < 5; i++) await apiA.post('/api/projects', { name: `history ${i}` });
    const from = (await readWholeLog(apiA)).at(-1)!.position;
    let written = 0;
    let stop = false;
    const writer = async (api: typeof apiA, tag: string) => {
      for (let i = 0; !stop; i++) {
        const reply = await api.post('/api/conversations', { title: `${tag} ${i}` });
        expect(reply.status).toBe(201);
        written++;
      }
    };
    const writing = Promise.all([writer(apiA, 'a'), writer(apiB, 'b'), writer(apiA, 'a2')]);
    while (written < 10) await sleep(2);
    const stream = await openSse(`${b.url}/api/events/stream`, { headers: { 'Last-Event-ID': String(from) } });
    expect(stream.status).toBe(200);
    const connectedAt = written;
    while (written < connectedAt + 40) await sleep(2);
    stop = true;
    await writing;

    const log = (await readWholeLog(apiB)).filter((e) => e.position > from);
    await stream.waitFor((e) => Number(e.id) === log.at(-1)!.position);
    const sentinel = await apiA.post('/api/projects', { name: 'written on A, last' });
    await stream.waitFor((e) => e.json.stream_id === sentinel.body.id);
    stream.abort();
    expect(stream.events.slice(0, -1).map((e) => e.json)).toEqual(log);
  });
});
