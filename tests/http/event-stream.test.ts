import { get, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { readWholeLog } from '../support/read-log.js';
import { openSse, type SseStream } from '../support/sse-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestServer, testConfig, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  // The filter tests hold eight streams open at once.
  server = await startTestServer({ sseMaxPerClient: 16 });
  api = httpClient(server.url);
});

const follow = (query = '', headers: Record<string, string> = {}, url = server.url) =>
  openSse(`${url}/api/events/stream${query}`, { headers });

async function logEnd(): Promise<number> {
  return (await readWholeLog(api)).at(-1)?.position ?? 0;
}

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const reply = await api.post(path, body);
  expect(reply.status, reply.text).toBe(201);
  return reply.body.id as string;
}

async function patched(path: string, body: Record<string, unknown>): Promise<void> {
  const reply = await api.patch(path, body);
  expect(reply.status, reply.text).toBe(200);
}

/** One more event, then waits for it: everything the stream was going to send before it has arrived. */
async function settle(stream: SseStream, projectId: string): Promise<void> {
  await patched(`/api/projects/${projectId}`, { description: `sentinel ${Math.random()}` });
  const [sentinel] = (await readWholeLog(api)).slice(-1);
  await stream.waitFor((e) => Number(e.id) === sentinel!.position);
  stream.events.pop();
}

/** `count` calls of `call`, 20 at a time. */
async function inParallel(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - start) }, (_, i) => call(start + i)));
  }
}

/** A stream whose client does not read until told to: the server's writes back up into the socket buffers. */
function pausedStream(url: string, headers: Record<string, string>) {
  const received: { position: number; stream_id: string }[] = [];
  let target = Number.POSITIVE_INFINITY;
  let reached: () => void = () => {};
  const parser = createParser({
    onEvent: ({ data }) => {
      const event = JSON.parse(data) as { position: number; stream_id: string };
      received.push({ position: event.position, stream_id: event.stream_id });
      if (event.position >= target) reached();
    },
  });
  let response: IncomingMessage | undefined;
  const request = get(url, { headers, agent: false }, (res) => {
    response = res;
    res.pause();
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => parser.feed(chunk));
  });
  return {
    resumeUntil: (position: number) =>
      new Promise<typeof received>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stopped at ${received.at(-1)?.position}`)), 20_000);
        reached = () => {
          clearTimeout(timer);
          request.destroy();
          resolve(received);
        };
        target = position;
        if (received.at(-1)?.position === position) reached();
        response!.resume();
      }),
  };
}

const summary = (stream: SseStream) => stream.events.map((e) => [e.json.stream_id, e.json.type]);

describe('GET /api/events/stream', () => {
  it('catches up from Last-Event-ID, then goes on live: under concurrent writes every event after the position arrives exactly once, in log order, as /api/events shows it', async () => {
    for (let i = 0; i < 5; i++) await created('/api/conversations', { title: `before ${i}` });
    const from = await logEnd();
    // Already following when the writes begin: the other stream joins a tail of the log that is running.
    const early = await follow();
    let written = 0;
    let stop = false;
    const writer = async (tag: string) => {
      for (let i = 0; !stop; i++) {
        const id = await created('/api/conversations', { title: `${tag} ${i}` });
        await patched(`/api/conversations/${id}`, { title: `${tag} ${i} renamed` });
        written++;
      }
    };
    const writing = Promise.all([writer('a'), writer('b'), writer('c')]);
    // A backlog of several catch-up batches, so that the live end moves on while the stream catches up.
    while (written < 400) await sleep(2);
    // Committed before the client connected (the log goes on growing meanwhile: one page is enough to know that).
    const atConnect = (await api.get(`/api/events?after=${from}&limit=1000`)).body.next_after as number;
    const stream = await follow('', { 'Last-Event-ID': String(from) });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const connectedAt = written;
    while (written < connectedAt + 30) await sleep(2);
    stop = true;
    await writing;

    const log = (await readWholeLog(api)).filter((e) => e.position > from);
    expect(log.length).toBe(written * 2);
    expect(atConnect, 'some events were written before the client connected').toBeGreaterThan(from);
    expect(log.at(-1)!.position, 'and some after').toBeGreaterThan(atConnect);
    await stream.waitFor((e) => Number(e.id) === log.at(-1)!.position);
    const project = await created('/api/projects', { name: 'Sentinel' });
    await stream.waitFor((e) => e.json?.stream_id === project);
    await early.waitFor((e) => e.json?.stream_id === project);
    stream.abort();
    early.abort();

    const received = stream.events.slice(0, -1);
    expect(received.map((e) => Number(e.id))).toEqual(log.map((e) => e.position));
    expect(received.map((e) => e.json)).toEqual(log);
    expect(received.every((e) => e.event === undefined)).toBe(true);
    expect(early.events.slice(0, -1).map((e) => e.json)).toEqual(log);
  });

  it('sends a backlog at the pace the client reads it while the log goes on: each event once, in order', async () => {
    const from = await logEnd();
    const note = 'n'.repeat(60_000);
    // About 12 MB of events, more than the socket buffers hold, so the server waits for the client to read; then
    // more than one catch-up batch of small ones.
    await inParallel(200, (i) => created('/api/conversations', { title: `big ${i}`, metadata: { note } }));
    await inParallel(400, (i) => created('/api/projects', { name: `small ${i}` }));
    const keepAlive = await follow();
    const slow = pausedStream(`${server.url}/api/events/stream`, { 'Last-Event-ID': String(from) });
    await sleep(300);
    const during: string[] = [];
    for (let i = 0; i < 20; i++) {
      during.push(await created('/api/projects', { name: `while the client is not reading ${i}` }));
      await sleep(10);
    }
    const log = (await readWholeLog(api)).filter((e) => e.position > from);
    const received = await slow.resumeUntil(log.at(-1)!.position);
    keepAlive.abort();
    expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
    expect(received.filter((e) => during.includes(e.stream_id))).toHaveLength(20);
  }, 60_000);

  it('starts after ?after= like after Last-Event-ID, and a Last-Event-ID header wins over ?after=', async () => {
    const from = await logEnd();
    const first = await created('/api/projects', { name: 'First' });
    const second = await created('/api/projects', { name: 'Second' });
    const [firstPosition] = (await readWholeLog(api)).filter((e) => e.stream_id === first).map((e) => e.position);

    const byQuery = await follow(`?after=${from}`);
    await byQuery.waitFor((e) => e.json.stream_id === second);
    expect(byQuery.events.map((e) => e.json.stream_id)).toEqual([first, second]);
    byQuery.abort();

    const byHeader = await follow(`?after=${from}`, { 'Last-Event-ID': String(firstPosition) });
    await byHeader.waitFor((e) => e.json.stream_id === second);
    expect(byHeader.events.map((e) => e.json.stream_id)).toEqual([second]);
    byHeader.abort();
  });

  it('without a position starts at the end of the log: what is committed once the answer started, not before', async () => {
    const before = await created('/api/projects', { name: 'Before' });
    const stream = await follow();
    const after = await created('/api/projects', { name: 'After' });
    await stream.waitFor((e) => e.json.stream_id === after);
    stream.abort();
    expect(stream.events.map((e) => e.json.stream_id)).toEqual([after]);
    expect(stream.events.map((e) => e.json.stream_id)).not.toContain(before);
  });

  describe('filters', () => {
    const ids = {} as Record<'p' | 'q' | 'c0' | 'c1' | 'c2' | 'c3' | 'c5' | 'c6', string>;
    let from = 0;
    let to = 0;
    type Streams = { project: SseStream; renamesInProject: SseStream; conversation: SseStream; types: SseStream };
    let live: Streams;

    /** Which events each filter must let through, by [stream, type], in log order. */
    const expected = () => ({
      project: [
        [ids.c1, 'ConversationCreated'],
        [ids.c0, 'ConversationRenamed'],
        [ids.c1, 'ConversationRenamed'],
        [ids.c2, 'ConversationMoved'],
        [ids.c2, 'ConversationRenamed'],
        [ids.c1, 'ConversationMoved'],
        [ids.p, 'ProjectUpdated'],
        [ids.c2, 'ConversationDeleted'],
      ],
      renamesInProject: [
        [ids.c0, 'ConversationRenamed'],
        [ids.c1, 'ConversationRenamed'],
        [ids.c2, 'ConversationRenamed'],
      ],
      conversation: [
        [ids.c1, 'ConversationCreated'],
        [ids.c1, 'ConversationRenamed'],
        [ids.c1, 'ConversationMoved'],
        [ids.c1, 'ConversationRenamed'],
      ],
      types: [
        [ids.c0, 'ConversationRenamed'],
        [ids.c1, 'ConversationRenamed'],
        [ids.c2, 'ConversationRenamed'],
        [ids.c5, 'ConversationRenamed'],
        [ids.c6, 'ConversationRenamed'],
        [ids.c2, 'ConversationRenamed'],
        [ids.c1, 'ConversationRenamed'],
        [ids.p, 'ProjectUpdated'],
        [ids.q, 'ProjectUpdated'],
      ],
    });

    const open = async (headers: Record<string, string> = {}): Promise<Streams> => ({
      project: await follow(`?project_id=${ids.p}`, headers),
      renamesInProject: await follow(`?project_id=${ids.p}&types=ConversationRenamed`, headers),
      conversation: await follow(`?conversation_id=${ids.c1}`, headers),
      types: await follow('?types=ConversationRenamed,ProjectUpdated', headers),
    });

    beforeAll(async () => {
      ids.p = await created('/api/projects', { name: 'P' });
      ids.q = await created('/api/projects', { name: 'Q' });
      // Before the streams' start: in the project (c0), in the other one (c5), moved out of it (c6).
      ids.c0 = await created('/api/conversations', { project_id: ids.p, title: 'c0' });
      ids.c5 = await created('/api/conversations', { project_id: ids.q, title: 'c5' });
      ids.c6 = await created('/api/conversations', { project_id: ids.p, title: 'c6' });
      await patched(`/api/conversations/${ids.c6}`, { project_id: ids.q });
      from = await logEnd();
      ids.c1 = crypto.randomUUID();
      live = await open();

      expect(await created('/api/conversations', { id: ids.c1, project_id: ids.p, title: 'c1' })).toBe(ids.c1);
      ids.c2 = await created('/api/conversations', { project_id: ids.q, title: 'c2' });
      ids.c3 = await created('/api/conversations', { title: 'c3' });
      await patched(`/api/conversations/${ids.c0}`, { title: 'c0 renamed' });
      await patched(`/api/conversations/${ids.c1}`, { title: 'c1 renamed' });
      await patched(`/api/conversations/${ids.c2}`, { title: 'c2 renamed' });
      await patched(`/api/conversations/${ids.c5}`, { title: 'c5 renamed' });
      await patched(`/api/conversations/${ids.c6}`, { title: 'c6 renamed' });
      await patched(`/api/conversations/${ids.c2}`, { project_id: ids.p });
      await patched(`/api/conversations/${ids.c2}`, { title: 'c2 renamed in P' });
      await patched(`/api/conversations/${ids.c1}`, { project_id: ids.q });
      await patched(`/api/conversations/${ids.c1}`, { title: 'c1 renamed in Q' });
      await patched(`/api/projects/${ids.p}`, { name: 'P2' });
      await patched(`/api/projects/${ids.q}`, { name: 'Q2' });
      expect((await api.delete(`/api/conversations/${ids.c2}`)).status).toBe(204);
      await patched(`/api/conversations/${ids.c3}`, { metadata: { k: 1 } });
      to = await logEnd();
    });

    afterAll(() => {
      for (const stream of Object.values(live ?? {})) stream.abort();
    });

    /** Events each stream lets through (a rename in the project, a rename of c1), then waits for them. */
    async function settleAll(streams: Streams): Promise<void> {
      const sentinel = await created('/api/conversations', { project_id: ids.p, title: 'sentinel' });
      await patched(`/api/conversations/${sentinel}`, { title: 'sentinel renamed' });
      await patched(`/api/conversations/${ids.c1}`, { title: `c1 ${Math.random()}` });
      const log = await readWholeLog(api);
      const last = (id: string) => log.filter((e) => e.stream_id === id).at(-1)!.position;
      await streams.project.waitFor((e) => Number(e.id) === last(sentinel));
      await streams.renamesInProject.waitFor((e) => Number(e.id) === last(sentinel));
      await streams.conversation.waitFor((e) => Number(e.id) === last(ids.c1));
      await streams.types.waitFor((e) => Number(e.id) === last(ids.c1));
    }

    const received = (stream: SseStream) =>
      stream.events.filter((e) => Number(e.id) <= to).map((e) => [e.json.stream_id, e.json.type]);

    const expectFiltered = (streams: Streams) => {
      const want = expected();
      expect(received(streams.project)).toEqual(want.project);
      expect(received(streams.renamesInProject)).toEqual(want.renamesInProject);
      expect(received(streams.conversation)).toEqual(want.conversation);
      expect(received(streams.types)).toEqual(want.types);
    };

    it('project_id (its events, its conversations while in it, moves in and out), conversation_id and types let through what they name, live', async () => {
      await settleAll(live);
      expectFiltered(live);
    });

    it('project_id, conversation_id and types let through the same when catching up from the log', async () => {
      const caughtUp = await open({ 'Last-Event-ID': String(from) });
      try {
        await settleAll(caughtUp);
        expectFiltered(caughtUp);
      } finally {
        for (const stream of Object.values(caughtUp)) stream.abort();
      }
    });
  });

  it('project_id lets through a conversation imported into the project and what happens to it, live and from the log', async () => {
    const p = await created('/api/projects', { name: 'Importing' });
    const source = await created('/api/conversations', { title: 'exported' });
    const file = (await api.get(`/api/conversations/${source}/export`)).body;
    const before = await logEnd();
    const live = await follow(`?project_id=${p}`);
    const imported = await api.post(`/api/conversations/import?project_id=${p}`, file);
    expect(imported.status, imported.text).toBe(201);
    const id = imported.body.conversations[0].id as string;
    await patched(`/api/conversations/${id}`, { title: 'imported, renamed' });
    const importedAt = (await readWholeLog(api)).find((e) => e.stream_id === id)!.position;
    const fromLog = await follow(`?project_id=${p}`, { 'Last-Event-ID': String(before) });
    // Starts after the import: which project the conversation is in is read from its log.
    const afterImport = await follow(`?project_id=${p}`, { 'Last-Event-ID': String(importedAt) });
    await patched(`/api/projects/${p}`, { description: 'sentinel' });
    const [sentinel] = (await readWholeLog(api)).slice(-1);
    for (const stream of [live, fromLog, afterImport]) {
      await stream.waitFor((e) => Number(e.id) === sentinel!.position);
      stream.abort();
      stream.events.pop();
    }
    const want = [
      [id, 'ConversationImported'],
      [id, 'ConversationRenamed'],
    ];
    expect(summary(live)).toEqual(want);
    expect(summary(fromLog)).toEqual(want);
    expect(summary(afterImport)).toEqual(want.slice(1));
  });

  it("project_id lets through the tombstones of the project's conversations, not of others it saw, and those it cannot tell", async () => {
    const p = await created('/api/projects', { name: 'Purging' });
    const outsideUnseen = await created('/api/conversations', { title: 'never seen by the stream' });
    const stream = await follow(`?project_id=${p}`);
    const inside = await created('/api/conversations', { project_id: p, title: 'inside' });
    const outsideSeen = await created('/api/conversations', { title: 'outside' });
    await patched(`/api/conversations/${outsideSeen}`, { title: 'outside, renamed' });
    // Read by the stream before the purges erase them: a stream that had not read them yet gets the tombstones only.
    await settle(stream, p);
    for (const id of [inside, outsideSeen, outsideUnseen]) {
      expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    }
    await settle(stream, p);
    stream.abort();
    expect(summary(stream)).toEqual([
      [inside, 'ConversationCreated'],
      [inside, 'ConversationPurged'],
      [outsideUnseen, 'ConversationPurged'],
    ]);
    expect(stream.events.at(-1)!.json.data).toEqual({ conversation_id: outsideUnseen });
  });

  it.each([
    ['?project_id=nope', 'query/project_id'],
    ['?conversation_id=123', 'query/conversation_id'],
    ['?types=NoSuchEvent', 'query/types'],
    ['?types=ConversationRenamed,,ProjectUpdated', 'query/types'],
    ['?types=', 'query/types'],
    ['?after=-1', 'query/after'],
    ['?after=soon', 'query/after'],
    ['?after=1.5', 'query/after'],
    ['?since=3', 'query/since'],
  ])('answers %s with a 422 problem naming %s, before any stream', async (query, path) => {
    const reply = await api.get(`/api/events/stream${query}`);
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.errors).toContainEqual({ path, message: expect.any(String) });
  });

  it('answers a Last-Event-ID that is not a log position with a 422 problem naming the header', async () => {
    for (const header of ['abc', '-3', '1.5', '9'.repeat(20)]) {
      const reply = await api.get('/api/events/stream', { 'Last-Event-ID': header });
      expect(reply.status, header).toBe(422);
      expect(reply.body.errors).toEqual([{ path: 'header/Last-Event-ID', message: expect.any(String) }]);
    }
  });

  it('sends a ping comment after each EVENTS_HEARTBEAT_MS without an event', async () => {
    const quick = await startTestServer({ eventsHeartbeatMs: 100 });
    const stream = await follow('', {}, quick.url);
    const pings = () => stream.comments.filter((c) => c.trim() === 'ping').length;
    // The default interval (15 s) would send none within these 5 s.
    await expect.poll(pings, { timeout: 5_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    stream.abort();
    expect(stream.events).toEqual([]);
  });

  it("ends when the client leaves, giving its place among the client's SSE_MAX_PER_CLIENT streams back", async () => {
    const limited = await startTestServer({ sseMaxPerClient: 1 });
    const first = await follow('', {}, limited.url);
    expect(first.status).toBe(200);
    const refused = await follow('', {}, limited.url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    first.abort();
    let again = await follow('', {}, limited.url);
    for (let tries = 0; again.status === 429 && tries < 40; tries++) {
      await sleep(25);
      again = await follow('', {}, limited.url);
    }
    expect(again.status).toBe(200);
    const project = await httpClient(limited.url).post('/api/projects', { name: 'Still served' });
    await again.waitFor((e) => e.json.stream_id === project.body.id);
    again.abort();
  });
});

describe('GET /api/events/stream when the server shuts down', () => {
  let database: TestDatabase;

  afterAll(async () => {
    await database?.drop();
  });

  it('ends the stream cleanly as the shutdown begins, with a comment saying so, and the server stops without waiting for it', async () => {
    database = await freshDatabase();
    const running = await startServer(testConfig(database.url));
    const stream = await follow('', {}, running.url);
    const project = await httpClient(running.url).post('/api/projects', { name: 'Before the stop' });
    await stream.waitFor((e) => e.json.stream_id === project.body.id);

    const started = performance.now();
    const closing = running.close();
    await stream.ended;
    // Before the stop's last second, after which it cuts the connections still open (and the stream would break).
    expect(performance.now() - started).toBeLessThan(900);
    await closing;
    expect(stream.broken).toBeNull();
    expect(stream.comments.at(-1)).toMatch(/shutting down/);
    expect(stream.events.map((e) => e.json.stream_id)).toEqual([project.body.id]);
  });
});
