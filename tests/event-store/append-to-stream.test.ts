import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import { handleCommand } from '../../src/commands/handle-command.js';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { conversationDecider } from '../../src/domain/conversation/conversation.decider.js';
import type { DomainEvent } from '../../src/domain/domain-event.js';
import { appendToStream, type EventStore } from '../../src/event-store/append-to-stream.js';
import { createEventBus } from '../../src/event-store/event-bus.js';
import { ConcurrencyError } from '../../src/event-store/expected-version.js';
import { readAll } from '../../src/event-store/read-all.js';
import { readStream } from '../../src/event-store/read-stream.js';
import type { StoredEvent } from '../../src/event-store/stored-event.js';
import { uuidv7 } from '../../src/ids.js';
import { findConversation } from '../../src/queries/conversation.queries.js';
import { findProject } from '../../src/queries/project.queries.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Database;
const bus = createEventBus();

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
});

afterAll(async () => {
  await db.close();
  await database.drop();
});

const store = (overrides: Partial<EventStore> = {}): EventStore => ({
  em: db.em(),
  projectInline: projectInlineWith(projectors),
  bus,
  now: () => new Date('2026-01-02T03:04:05.000Z'),
  ...overrides,
});

const created = (id: string): DomainEvent => ({
  type: 'ProjectCreated',
  data: { project_id: id, name: 'P', description: null, metadata: {} },
});
const renamed = (id: string, name: string): DomainEvent => ({ type: 'ProjectUpdated', data: { project_id: id, name } });

const append = (id: string, expected: number | 'no_stream' | 'any', events: DomainEvent[], s = store()) =>
  appendToStream(s, { streamId: id, streamType: 'project', expected, events, metadata: { request_id: 'r' } });

describe('appendToStream', () => {
  it('stores events with consecutive stream versions, increasing positions and the injected time', async () => {
    const id = uuidv7();
    const stored = await append(id, 'no_stream', [created(id), renamed(id, 'Q'), renamed(id, 'R')]);
    expect(stored.map((e) => e.stream_version)).toEqual([1, 2, 3]);
    expect(stored[1]!.position).toBe(stored[0]!.position + 1);
    expect(stored[2]!.position).toBe(stored[1]!.position + 1);
    expect(stored.every((e) => e.created_at === '2026-01-02T03:04:05.000Z')).toBe(true);
    expect((await readStream(db.em(), id)).map((e) => e.type)).toEqual([
      'ProjectCreated',
      'ProjectUpdated',
      'ProjectUpdated',
    ]);
    expect((await findProject(db.em(), id))?.project.name).toBe('R');
  });

  it('refuses no_stream when the stream exists, through the unique constraint', async () => {
    const id = uuidv7();
    await append(id, 'no_stream', [created(id)]);
    await expect(append(id, 'no_stream', [created(id)])).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await readStream(db.em(), id)).toHaveLength(1);
  });

  it('refuses an exact expected version that is not the current one, and accepts the right one', async () => {
    const id = uuidv7();
    await append(id, 'no_stream', [created(id)]);
    await expect(append(id, 0, [renamed(id, 'x')])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(append(id, 2, [renamed(id, 'x')])).rejects.toBeInstanceOf(ConcurrencyError);
    await append(id, 1, [renamed(id, 'y')]);
    expect((await readStream(db.em(), id)).map((e) => e.stream_version)).toEqual([1, 2]);
  });

  it('appends at whatever version the stream has when told any', async () => {
    const id = uuidv7();
    await append(id, 'any', [created(id)]);
    await append(id, 'any', [renamed(id, 'z')]);
    expect((await readStream(db.em(), id)).map((e) => e.stream_version)).toEqual([1, 2]);
  });

  it('lets exactly one of two concurrent appends at the same version win', async () => {
    const id = uuidv7();
    await append(id, 'no_stream', [created(id)]);
    const results = await Promise.allSettled([append(id, 1, [renamed(id, 'a')]), append(id, 1, [renamed(id, 'b')])]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(ConcurrencyError);
    expect(await readStream(db.em(), id)).toHaveLength(2);
  });

  it('publishes the stored events on the bus only after commit', async () => {
    const id = uuidv7();
    const published: StoredEvent[][] = [];
    const listener = (events: StoredEvent[]) => published.push(events);
    bus.on('committed', listener);
    try {
      const stored = await append(id, 'no_stream', [created(id)]);
      expect(published).toEqual([stored]);
      await expect(append(id, 'no_stream', [created(id)])).rejects.toThrow();
      expect(published).toHaveLength(1);
    } finally {
      bus.off('committed', listener);
    }
  });

  it('rolls the append back when a projector throws: no event without its projection', async () => {
    const id = uuidv7();
    const before = (await readAll(db.em(), 0, 1_000_000)).length;
    const failing = store({
      projectInline: async (em, events) => {
        await projectInlineWith(projectors)(em, events);
        throw new Error('projector failed');
      },
    });
    await expect(append(id, 'no_stream', [created(id)], failing)).rejects.toThrow('projector failed');
    expect((await readAll(db.em(), 0, 1_000_000)).length).toBe(before);
    expect(await findProject(db.em(), id, true)).toBeNull();
  });

  it('projects from committed rows, not from what a long-lived entity manager saw earlier', async () => {
    const conversation_id = uuidv7();
    const requestEm = db.em();
    const run = (em: EventStore['em'], command: Parameters<typeof conversationDecider.decide>[0]) =>
      handleCommand(store({ em }), conversationDecider, { id: conversation_id, type: 'conversation' }, command, {
        metadata: {},
      });
    await run(db.em(), {
      type: 'CreateConversation',
      data: {
        conversation_id,
        project_id: null,
        project_status: null,
        title: null,
        metadata: {},
        settings: {},
        id_taken_by: null,
      },
    });
    expect((await findConversation(requestEm, conversation_id))?.conversation.message_count).toBe(0);
    await run(db.em(), {
      type: 'PostUserMessage',
      data: { conversation_id, message_id: uuidv7(), content: 'a', metadata: {} },
    });
    await run(requestEm, {
      type: 'PostUserMessage',
      data: { conversation_id, message_id: uuidv7(), content: 'b', metadata: {} },
    });
    expect((await findConversation(db.em(), conversation_id))?.conversation.message_count).toBe(2);
  });
});
