import { beforeAll, describe, expect, it } from 'vitest';
import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { appendToStream } from '../../src/event-store/append-to-stream.js';
import { createEventBus } from '../../src/event-store/event-bus.js';
import type { StoredEvent } from '../../src/event-store/stored-event.js';
import { uuidv7 } from '../../src/ids.js';
import type { RunningServer } from '../../src/server.js';
import { httpClient } from '../support/http-client.js';
import { readWholeLog } from '../support/read-log.js';
import { serversOnOneDatabase } from '../support/servers-on-one-database.js';

/**
 * Two servers on one database, as two workers or instances would be. On PostgreSQL they signal each other;
 * on SQLite, in one test process, they have no link at all and the feed finds the other's events by polling.
 */
const cluster = serversOnOneDatabase(2);
let a: RunningServer;
let b: RunningServer;

beforeAll(() => {
  [a, b] = cluster.servers as [RunningServer, RunningServer];
});

/** Collects what a follower receives; `until` resolves once it holds `count` events. */
function collector() {
  const received: StoredEvent[] = [];
  return {
    received,
    handler: (events: StoredEvent[]) => received.push(...events),
    until: (count: number) =>
      expect.poll(() => received.length, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(count),
  };
}

const createConversations = (server: RunningServer, count: number, tag: string) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      httpClient(server.url).post('/api/conversations', { title: `${tag} ${i}` }),
    ),
  );

describe('the log feed (services.feed)', () => {
  it('delivers to a follower on one server every event appended through the other, in log order, once each', async () => {
    const feed = collector();
    const stop = await a.services.feed.follow('now', feed.handler);
    const before = (await readWholeLog(httpClient(a.url))).length;
    await Promise.all([createConversations(b, 20, 'from b'), createConversations(a, 10, 'from a')]);
    await feed.until(30);
    stop();
    const log = (await readWholeLog(httpClient(a.url))).slice(before);
    expect(feed.received.map((e) => e.position)).toEqual(log.map((e) => e.position));
    expect(feed.received.filter((e) => e.type === 'ConversationCreated')).toHaveLength(30);
  });

  it('catches up from a position, then follows live, with no gap and no duplicate at the seam under concurrent writes', async () => {
    await createConversations(b, 15, 'history');
    const history = await readWholeLog(httpClient(a.url));
    const from = history.at(-10)!.position;
    const writing = Promise.all([createConversations(a, 25, 'live a'), createConversations(b, 25, 'live b')]);
    const feed = collector();
    const stop = await b.services.feed.follow(from, feed.handler);
    await writing;
    const log = (await readWholeLog(httpClient(a.url))).filter((e) => e.position > from);
    await feed.until(log.length);
    stop();
    expect(feed.received.map((e) => e.position)).toEqual(log.map((e) => e.position));
  });

  it('finds by reading the log an event appended by a process that sent no signal at all', async () => {
    const feed = collector();
    const stop = await a.services.feed.follow('now', feed.handler);
    const silent = await openDatabase(cluster.database().url);
    try {
      const id = uuidv7();
      const [stored] = await appendToStream(
        { em: silent.em(), projectInline: projectInlineWith(projectors), bus: createEventBus(), now: () => new Date() },
        {
          streamId: id,
          streamType: 'project',
          expected: 'no_stream',
          events: [
            { type: 'ProjectCreated', data: { project_id: id, name: 'quiet', description: null, metadata: {} } },
          ],
          metadata: {},
        },
      );
      await feed.until(1);
      expect(feed.received.map((e) => e.position)).toEqual([stored!.position]);
    } finally {
      stop();
      await silent.close();
    }
  });

  it('stops calling a follower once it unsubscribed', async () => {
    const feed = collector();
    const stop = await a.services.feed.follow('now', feed.handler);
    stop();
    await createConversations(b, 3, 'after stop');
    const other = collector();
    const stopOther = await a.services.feed.follow('now', other.handler);
    await createConversations(b, 1, 'seen');
    await other.until(1);
    stopOther();
    expect(feed.received).toEqual([]);
  });
});
