import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { afterAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../mikro-orm.config.js';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { ConversationView } from '../../projections/conversation.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { migrationNames } from '../../src/db/migrations/migrations.js';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { listEvents } from '../../src/queries/event.queries.js';
import { listConversations } from '../../src/queries/conversation.queries.js';
import { listMessages } from '../../src/queries/message.queries.js';
import { listProjects, projectStats } from '../../src/queries/project.queries.js';
import { startServer } from '../../src/server.js';
import { exchange } from '../support/commands.js';
import { httpClient } from '../support/http-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';
import { projectors } from '../../projections/projectors.js';

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function database(): Promise<TestDatabase> {
  const created = await freshDatabase();
  databases.push(created);
  return created;
}

/** Opens the database with openDatabase, collecting what it logs, and closes it after `use`. */
async function withOpen<T>(url: string, use: (db: Database, logged: string[]) => Promise<T>): Promise<T> {
  const logged: string[] = [];
  const db = await openDatabase(url, (message) => logged.push(message));
  try {
    return await use(db, logged);
  } finally {
    await db.close();
  }
}

/** An ORM of its own, without openDatabase's migrations or replay: another process touching the tables. */
async function withRawOrm<T>(url: string, use: (em: EntityManager) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init(await ormConfig(url));
  try {
    return await use(orm.em.fork() as EntityManager);
  } finally {
    await orm.close(true);
  }
}

type MigrationRow = { id: number; name: string; executed_at: unknown };

const migrationRows = (em: EntityManager): Promise<MigrationRow[]> =>
  em.getConnection().execute('select id, name, executed_at from mikro_orm_migrations order by id');

async function checkpoints(em: EntityManager): Promise<Record<string, number>> {
  const rows = await em.find(ProjectionCheckpoint, {}, { disableIdentityMap: true });
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.position)]));
}

/** Projects, conversations and answered messages with reactions, written through the running app. */
async function populate(url: string): Promise<void> {
  const server = await startServer(testConfig(url));
  try {
    const api = httpClient(server.url);
    const project = await api.post('/api/projects', { name: 'Research' });
    expect(project.status).toBe(201);
    const ids: string[] = [];
    for (const [projectId, title] of [
      [project.body.id, 'Papers'],
      [project.body.id, 'Notes'],
      [null, 'Loose'],
    ]) {
      const created = await api.post('/api/conversations', { project_id: projectId, title });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const [papers, notes, loose] = ids as [string, string, string];
    const first = await exchange(server.services, papers, 'What is a B-tree?', 'A balanced search tree.', {
      tokens: 9,
    });
    await exchange(server.services, papers, 'Why balanced?', 'So lookups stay logarithmic.', { tokens: 14 });
    await exchange(server.services, papers, 'Draw one.', 'I cannot draw.', { parentId: first.assistantId });
    const answer = await exchange(server.services, notes, 'Summarise.', 'Done.', { tokens: 2 });
    await exchange(server.services, loose, 'Hi', 'Hello!');
    expect((await api.patch(`/api/messages/${first.assistantId}/reaction`, { reaction: 'thumbs_up' })).status).toBe(
      200,
    );
    expect((await api.patch(`/api/messages/${answer.assistantId}/reaction`, { reaction: 'thumbs_down' })).status).toBe(
      200,
    );
  } finally {
    await server.close();
  }
}

/** What the query functions behind the GET routes answer for everything in the database. */
async function readAllThroughQueries(em: EntityManager) {
  const projects = await listProjects(em, { limit: 100, include_deleted: true });
  const conversations = await listConversations(em, { limit: 100, include_deleted: true });
  const messages: Record<string, unknown> = {};
  for (const { id } of conversations.items) messages[id] = await listMessages(em, id, { limit: 100 });
  const stats: Record<string, unknown> = {};
  for (const { id } of projects.items) stats[id] = await projectStats(em, id);
  return { projects, conversations, messages, stats };
}

describe('openDatabase', () => {
  it('creates the schema of a new database with a checkpoint at 0 for every projector and replays nothing', async () => {
    const { url } = await database();
    await withOpen(url, async (db, logged) => {
      expect((await migrationRows(db.em())).map((row) => row.name)).toEqual([...migrationNames]);
      expect(await checkpoints(db.em())).toEqual(Object.fromEntries(projectors.map((p) => [p.name, 0])));
      expect(logged).toEqual([]);
      expect((await listProjects(db.em(), { limit: 10, include_deleted: true })).items).toEqual([]);
    });
  });

  it('applies the migrations once: a second open changes no migration row and keeps the data', async () => {
    const { url } = await database();
    const firstRows = await withOpen(url, (db) => migrationRows(db.em()));
    expect(firstRows.map((row) => row.name)).toEqual([...migrationNames]);
    await populate(url);
    const before = await withRawOrm(url, (em) => readAllThroughQueries(em));
    expect(before.projects.items).toHaveLength(1);
    expect(before.conversations.items).toHaveLength(3);

    await withOpen(url, async (db, logged) => {
      expect(await migrationRows(db.em())).toEqual(firstRows);
      expect(logged).toEqual([]);
      expect(await readAllThroughQueries(db.em())).toEqual(before);
    });
  });

  it('refills a projector that has no checkpoint row from the log, so the GET answers are as before', async () => {
    const { url } = await database();
    await populate(url);
    const { before, positions, lastPosition } = await withOpen(url, async (db) => ({
      before: await readAllThroughQueries(db.em()),
      positions: await checkpoints(db.em()),
      lastPosition: (await listEvents(db.em(), { after: 0, limit: 1000 })).next_after,
    }));
    expect(positions).toEqual(Object.fromEntries(projectors.map((p) => [p.name, lastPosition])));
    expect(Object.values(before.messages).flatMap((page) => (page as { items: unknown[] }).items)).toHaveLength(10);

    // As if the message projector were new: no checkpoint row and an empty table.
    await withRawOrm(url, async (em) => {
      await em.nativeDelete(ProjectionCheckpoint, { name: 'message' });
      await em.nativeDelete(MessageView, {});
      const emptied = await readAllThroughQueries(em);
      expect(emptied.messages).not.toEqual(before.messages);
      expect(emptied.stats).not.toEqual(before.stats);
    });

    await withOpen(url, async (db, logged) => {
      expect(logged).toEqual(['Replaying the event log into new projectors: message']);
      expect(await readAllThroughQueries(db.em())).toEqual(before);
      expect(await checkpoints(db.em())).toEqual(positions);
    });

    // Once refilled, the projector has its checkpoint again: the next open replays nothing.
    await withOpen(url, async (_db, logged) => expect(logged).toEqual([]));
  });

  it('gives the messages of a database made before migration 0006 their depth and anchor, replayed from the log', async () => {
    const { url } = await database();
    await populate(url);
    const places = (em: EntityManager): Promise<{ id: string; depth: number; anchor_id: string | null }[]> =>
      em.getConnection().execute('select id, depth, anchor_id from messages order by id');
    const before = await withOpen(url, (db) => places(db.em()));
    expect(before.some((row) => row.depth > 1)).toBe(true);

    // The database as 0005 left it: no such columns, and the migration not applied.
    await withRawOrm(url, async (em) => {
      const connection = em.getConnection();
      await connection.execute('alter table messages drop column depth');
      await connection.execute('alter table messages drop column anchor_id');
      await connection.execute("delete from mikro_orm_migrations where name = '0006-message-depth'");
    });

    await withOpen(url, async (db, logged) => {
      expect(logged).toEqual(['Replaying the event log into new projectors: message']);
      expect(await places(db.em())).toEqual(before);
    });
  });

  it('refills only the projectors without a checkpoint row and leaves the others untouched', async () => {
    const { url } = await database();
    await populate(url);
    const before = await withOpen(url, (db) => readAllThroughQueries(db.em()));

    await withRawOrm(url, async (em) => {
      await em.nativeDelete(ProjectionCheckpoint, { name: { $in: ['conversation', 'message'] } });
      await em.nativeDelete(MessageView, {});
      await em.nativeDelete(ConversationView, {});
      // A change behind the back of the project projector, which keeps its checkpoint: it must survive.
      await em.getConnection().execute("update projects set description = 'edited by hand'");
    });

    await withOpen(url, async (db, logged) => {
      expect(logged).toEqual(['Replaying the event log into new projectors: conversation, message']);
      const after = await readAllThroughQueries(db.em());
      expect(after.conversations).toEqual(before.conversations);
      expect(after.messages).toEqual(before.messages);
      expect(after.stats).toEqual(before.stats);
      expect(after.projects.items.map((p) => p.description)).toEqual(['edited by hand']);
    });
  });
});

// SQLite's connection settings only exist on SQLite; the PostgreSQL run has nothing to check here.
if (process.env.TEST_DRIVER !== 'postgresql') {
  describe('a SQLite connection', () => {
    it('runs in WAL mode with synchronous=NORMAL, a busy timeout and foreign keys on', async () => {
      const { url } = await database();
      await withOpen(url, async (db) => {
        const connection = db.em().getConnection();
        const pragma = async (name: string) =>
          Object.values(((await connection.execute(`pragma ${name}`)) as Record<string, unknown>[])[0] ?? {})[0];
        expect(await pragma('journal_mode')).toBe('wal');
        expect(await pragma('synchronous')).toBe(1); // NORMAL
        expect(Number(await pragma('busy_timeout'))).toBeGreaterThanOrEqual(1000);
        expect(await pragma('foreign_keys')).toBe(1);
      });
    });
  });
}
