import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { ConversationView } from '../../projections/conversation.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { ProjectView } from '../../projections/project.entity.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import type { Reply } from '../support/http-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { tableRows, withOrm } from '../support/read-model-rows.js';
import { runCli, withServer } from '../support/run-cli.js';

const TEST_TIMEOUT = 90_000;

const rebuild = (databaseUrl: string, ...args: string[]) =>
  runCli('rebuild-projections', args, { env: { DATABASE_URL: databaseUrl }, timeoutMs: TEST_TIMEOUT - 10_000 });

type Snapshot = {
  projects: unknown;
  conversations: unknown;
  messages: Record<string, unknown>;
  stats: Record<string, unknown>;
  rows: Record<string, unknown[]>;
};

/** Status and body of a reply; a problem body's request_id differs per request, so it is left out. */
function answered(reply: Reply): { status: number; body: unknown } {
  const { request_id: _requestId, ...body } = reply.body as Record<string, unknown>;
  return { status: reply.status, body };
}

/** What the API answers for every listing, plus the raw read model rows. */
async function snapshot(databaseUrl: string): Promise<Snapshot> {
  const api = await withServer(databaseUrl, async (api) => {
    const projects = await api.get('/api/projects?include_deleted=true&limit=100');
    const conversations = await api.get('/api/conversations?include_deleted=true&limit=100');
    expect(projects.status).toBe(200);
    expect(conversations.status).toBe(200);
    const messages: Record<string, unknown> = {};
    for (const { id } of conversations.body.items as { id: string }[]) {
      const reply = await api.get(`/api/conversations/${id}/messages?limit=100`);
      messages[id] = answered(reply);
    }
    const stats: Record<string, unknown> = {};
    for (const { id } of projects.body.items as { id: string }[]) {
      const reply = await api.get(`/api/projects/${id}/stats`);
      stats[id] = answered(reply);
    }
    return { projects: projects.body, conversations: conversations.body, messages, stats };
  });
  return { ...api, rows: await tableRows(databaseUrl) };
}

type History = { db: TestDatabase; events: number; lastPosition: number; before: Snapshot };

/** Projects, conversations, a branching chat, a failed and a cancelled answer, reactions, edits and deletions. */
async function populate(): Promise<History> {
  const db = await freshDatabase();
  const log = await withServer(db.url, async (api, server) => {
    const services = server.services;
    const project = async (name: string) => {
      const reply = await api.post('/api/projects', { name, metadata: { name } });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    };
    const conversation = async (projectId: string | null, title: string) => {
      const reply = await api.post('/api/conversations', { project_id: projectId, title });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    };
    const research = await project('Research');
    const cooking = await project('Cooking');
    const archive = await project('Archive');
    const papers = await conversation(research, 'Papers');
    const recipes = await conversation(cooking, 'Recipes');
    const loose = await conversation(null, 'Loose');
    const old = await conversation(archive, 'Old');
    const scratch = await conversation(research, 'Scratch');

    const first = await exchange(services, papers, 'What is a monad?', 'A monoid in the category of endofunctors.');
    await exchange(services, papers, 'Simpler, please.', 'A way to chain steps.', { tokens: 20 });
    const branch = await exchange(services, papers, 'Explain it to a child.', 'Boxes inside boxes.', {
      parentId: first.assistantId,
      tokens: 11,
      model: 'other-model.gguf',
    });
    const soup = await exchange(services, recipes, 'Soup?', 'Boil water first.', { tokens: 3 });
    const chat = await exchange(services, loose, 'Hello', 'Hi!');
    await exchange(services, old, 'Anything?', 'Nothing.');
    await exchange(services, scratch, 'Draft', 'Noted.');

    const failed = uuidv7();
    await runConversationCommand(services, {
      type: 'PostUserMessage',
      data: { conversation_id: loose, message_id: uuidv7(), content: 'Tell me more', metadata: {} },
    });
    const question = uuidv7();
    await runConversationCommand(services, {
      type: 'PostUserMessage',
      data: { conversation_id: recipes, message_id: question, content: 'And bread?', metadata: { lang: 'en' } },
    });
    await runConversationCommand(services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: recipes, message_id: failed, parent_message_id: question, metadata: {} },
    });
    await runConversationCommand(services, {
      type: 'FailMessage',
      data: {
        conversation_id: recipes,
        message_id: failed,
        error: 'llama.cpp went away',
        error_type: 'connection',
        partial_content: 'Flour and',
      },
    });

    const react = async (id: string, reaction: string | null) =>
      expect((await api.patch(`/api/messages/${id}/reaction`, { reaction })).status).toBe(200);
    await react(first.assistantId, 'thumbs_up');
    await react(branch.assistantId, 'thumbs_up');
    await react(soup.assistantId, 'thumbs_down');
    await react(chat.assistantId, 'thumbs_up');
    await react(chat.assistantId, null);

    expect((await api.patch(`/api/projects/${research}`, { description: 'Reading list' })).status).toBe(200);
    expect((await api.patch(`/api/conversations/${loose}`, { title: 'Loose ends', project_id: cooking })).status).toBe(
      200,
    );
    expect((await api.delete(`/api/conversations/${scratch}`)).status).toBe(204);
    expect((await api.delete(`/api/projects/${archive}`)).status).toBe(204);

    const events = await api.get('/api/events?limit=1000');
    expect(events.status).toBe(200);
    return events.body as { items: unknown[]; next_after: number };
  });
  return { db, events: log.items.length, lastPosition: log.next_after, before: await snapshot(db.url) };
}

let history: History;

beforeAll(async () => {
  history = await populate();
  expect(history.events).toBeGreaterThan(40);
});

afterAll(async () => {
  await history?.db.drop();
});

/** Breaks every read model behind the API's back, so only a rebuild can bring them back. */
async function corruptReadModels(databaseUrl: string): Promise<void> {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    await em.nativeDelete(MessageView, {});
    await em.nativeUpdate(ProjectView, {}, { name: 'corrupted' });
    await em.nativeUpdate(ConversationView, {}, { title: 'corrupted', message_count: 999 });
  });
}

describe('npm run projections:rebuild (node dist/rebuild-projections.mjs)', () => {
  it(
    'rebuilds every read model from the log, printing progress in events/s and a Done line, identical to inline',
    async () => {
      const { db, events, lastPosition, before } = history;
      await corruptReadModels(db.url);
      const broken = await snapshot(db.url);
      expect(broken.rows).not.toEqual(before.rows);
      expect(broken.projects).not.toEqual(before.projects);

      const batchSize = 10;
      const run = await rebuild(db.url, '--batch-size', String(batchSize));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toBe('Rebuilding project, conversation, message, search, usage, knowledge from the event log');
      const progress = lines.filter((line) => line.includes('events/s'));
      expect(progress).toHaveLength(Math.ceil(events / batchSize));
      expect(progress[0]).toMatch(/^ {2}10 events \(position \d+\), \d+ events\/s$/);
      expect(progress.at(-1)).toMatch(
        new RegExp(`^ {2}${events} events \\(position ${lastPosition}\\), \\d+ events/s$`),
      );
      expect(lines.at(-1)).toMatch(new RegExp(`^Done: ${events} events in \\d+\\.\\d{2} s$`));

      const after = await snapshot(db.url);
      expect(after.projects).toEqual(before.projects);
      expect(after.conversations).toEqual(before.conversations);
      expect(after.messages).toEqual(before.messages);
      expect(after.stats).toEqual(before.stats);
      expect(after.rows).toEqual(before.rows);
      const checkpoints = await withOrm(db.url, (orm) =>
        orm.em.fork().find(ProjectionCheckpoint, {}, { orderBy: { name: 'asc' }, disableIdentityMap: true }),
      );
      expect(checkpoints.map((c) => [c.name, Number(c.position)])).toEqual([
        ['conversation', lastPosition],
        ['knowledge', lastPosition],
        ['message', lastPosition],
        ['project', lastPosition],
        ['search', lastPosition],
        ['usage', lastPosition],
      ]);
    },
    TEST_TIMEOUT,
  );

  it(
    'rebuilds only the projector it is given by name: `message` restores messages and leaves projects alone',
    async () => {
      const { db, before } = history;
      await corruptReadModels(db.url);

      const run = await rebuild(db.url, 'message');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Rebuilding message from the event log');
      expect(run.stdout).toMatch(/events\/s/);
      expect(run.stdout).toMatch(/^Done: \d+ events in /m);

      const after = await snapshot(db.url);
      expect(after.rows.messages).toEqual(before.rows.messages);
      expect((after.rows.projects as { name: string }[]).map((p) => p.name)).toEqual([
        'corrupted',
        'corrupted',
        'corrupted',
      ]);
      expect((after.rows.conversations as { title: string }[]).every((c) => c.title === 'corrupted')).toBe(true);

      // Rebuilding the other two brings the rest back.
      const rest = await rebuild(db.url, 'project', 'conversation');
      expect(rest.code).toBe(0);
      expect(rest.stdout).toContain('Rebuilding project, conversation from the event log');
      expect(await snapshot(db.url)).toEqual(before);
    },
    TEST_TIMEOUT,
  );

  it(
    'exits with code 2 naming the known projectors when given an unknown one, changing nothing',
    async () => {
      const { db, before } = history;
      const run = await rebuild(db.url, 'message', 'bogus');
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('Unknown projector bogus; known: project, conversation, message, search, usage');
      expect(run.stderr).toContain('usage: npm run projections:rebuild');
      expect(await snapshot(db.url)).toEqual(before);
    },
    TEST_TIMEOUT,
  );
});
