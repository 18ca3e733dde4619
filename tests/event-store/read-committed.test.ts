import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import type { DomainEvent } from '../../src/domain/domain-event.js';
import { appendToStream } from '../../src/event-store/append-to-stream.js';
import { createEventBus } from '../../src/event-store/event-bus.js';
import { readCommitted } from '../../src/event-store/read-committed.js';
import type { StoredEvent } from '../../src/event-store/stored-event.js';
import { uuidv7 } from '../../src/ids.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
});

afterAll(async () => {
  await db.close();
  await database.drop();
});

const created = (id: string): DomainEvent => ({
  type: 'ProjectCreated',
  data: { project_id: id, name: 'P', description: null, metadata: {} },
});
const renamed = (id: string, name: string): DomainEvent => ({ type: 'ProjectUpdated', data: { project_id: id, name } });

async function appendProject(names: string[] = []): Promise<StoredEvent[]> {
  const id = uuidv7();
  return appendToStream(
    { em: db.em(), projectInline: projectInlineWith(projectors), bus: createEventBus(), now: () => new Date() },
    {
      streamId: id,
      streamType: 'project',
      expected: 'no_stream',
      events: [created(id), ...names.map((name) => renamed(id, name))],
      metadata: { request_id: 'r' },
    },
  );
}

const positions = (events: StoredEvent[]) => events.map((event) => event.position);

describe('readCommitted', () => {
  it('returns appended events after a position, in order, up to the limit', async () => {
    const [first, ...rest] = await appendProject(['Q', 'R', 'S']);
    const read = await readCommitted(db.em(), first!.position, 2);
    expect(positions(read)).toEqual(positions(rest).slice(0, 2));
    expect(read.map((event) => event.type)).toEqual(['ProjectUpdated', 'ProjectUpdated']);
    expect(read[1]).toMatchObject({ stream_id: first!.stream_id, stream_version: 3, data: { name: 'R' } });
    expect(await readCommitted(db.em(), rest.at(-1)!.position, 10)).toEqual([]);
  });
});

// PostgreSQL commits appends out of position order; SQLite cannot, so these have nothing to prove there.
if (process.env.TEST_DRIVER === 'postgresql') {
  describe('readCommitted on PostgreSQL', () => {
    let client: pg.Client;
    let other: pg.Client;

    beforeAll(async () => {
      [client, other] = [new pg.Client(database.url), new pg.Client(database.url)];
      await Promise.all([client.connect(), other.connect()]);
    });

    afterAll(() => Promise.all([client.end(), other.end()]));

    /** Inserts an event the way an append does, in the client's open transaction, and returns its position. */
    async function insertEvent(through = client): Promise<number> {
      const { rows } = await through.query<{ position: string }>(
        `insert into events (stream_id, stream_type, stream_version, type, data, metadata, created_at)
       values ($1, 'project', 1, 'ProjectCreated', $2, '{}', $3) returning position`,
        [uuidv7(), JSON.stringify({ project_id: 'p', name: 'P', description: null, metadata: {} }), 'now'],
      );
      return Number(rows[0]!.position);
    }

    /** Polls until the reader returns something: pg_current_snapshot() spans the server, tests on other databases included. */
    async function eventually(afterPosition: number): Promise<StoredEvent[]> {
      const deadline = Date.now() + 5000;
      for (;;) {
        const read = await readCommitted(db.em(), afterPosition, 10);
        if (read.length > 0 || Date.now() > deadline) return read;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    it('hands out a position only to a transaction that already has an id', async () => {
      const [column] = await db
        .em()
        .getConnection()
        .execute<{ column_default: string }[]>(
          "select column_default from information_schema.columns where table_name = 'events' and column_name = 'position'",
        );
      expect(column!.column_default).toBe('events_next_position()');
      await client.query('begin');
      try {
        const assigned = async () => (await client.query('select pg_current_xact_id_if_assigned() as xid')).rows[0].xid;
        expect(await assigned()).toBeNull();
        await client.query('select events_next_position()');
        expect(await assigned()).not.toBeNull();
      } finally {
        await client.query('rollback');
      }
    });

    it('hides every later position while a transaction that took a lower one has not committed', async () => {
      const [first] = await appendProject();
      const at = first!.position;
      await client.query('begin');
      const later = await (async () => {
        const inFlight = await insertEvent();
        const [appended] = await appendProject();
        expect([inFlight, appended!.position]).toEqual([at + 1, at + 2]);
        expect(positions(await readCommitted(db.em(), at - 1, 10))).toEqual([at]);
        expect(await readCommitted(db.em(), at, 10)).toEqual([]);
        return [inFlight, appended!.position];
      })().finally(() => client.query('commit'));

      expect(positions(await eventually(at))).toEqual(later);
    });

    it('hides a lower position in flight even when the higher one comes from an older transaction', async () => {
      // The case that defeats filtering on the writer's own transaction id: the older transaction's
      // second event takes a position after the newer one's, and commits first.
      const [first] = await appendProject();
      const at = first!.position;
      await other.query('begin');
      await client.query('begin');
      const taken = await (async () => {
        const olderFirst = await insertEvent(other);
        const newer = await insertEvent(client);
        const olderSecond = await insertEvent(other);
        await other.query('commit');
        expect([olderFirst, newer, olderSecond]).toEqual([at + 1, at + 2, at + 3]);
        expect(positions(await readCommitted(db.em(), at, 10))).toEqual([at + 1]);
        expect(await readCommitted(db.em(), at + 1, 10)).toEqual([]);
        return [newer, olderSecond];
      })().finally(() => client.query('commit'));

      expect(positions(await eventually(at + 1))).toEqual(taken);
    });

    it('passes a position whose transaction rolled back once every older transaction has ended', async () => {
      const [first] = await appendProject();
      const at = first!.position;
      await client.query('begin');
      const rolledBack = await insertEvent();
      await client.query('rollback');
      const [appended] = await appendProject();
      expect([rolledBack, appended!.position]).toEqual([at + 1, at + 2]);

      expect(positions(await eventually(at))).toEqual([at + 2]);
    });
  });
}
