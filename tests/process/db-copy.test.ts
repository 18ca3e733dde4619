import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import type { HttpClient, Reply } from '../support/http-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { runCli, withServer, type CliRun } from '../support/run-cli.js';

const TEST_TIMEOUT = 90_000;

const copyDatabase = (...args: string[]) => runCli('copy-database', args, { timeoutMs: TEST_TIMEOUT - 10_000 });

type LoggedEvent = { position: number };
type Snapshot = {
  projects: unknown;
  conversations: unknown;
  messages: Record<string, unknown>;
  stats: Record<string, unknown>;
  events: LoggedEvent[];
};

function answered(reply: Reply): { status: number; body: unknown } {
  const { request_id: _requestId, ...body } = reply.body as Record<string, unknown>;
  return { status: reply.status, body };
}

/** The whole log, read through GET /api/events a page at a time. */
async function allEvents(api: HttpClient): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (let after = 0; ;) {
    const page = await api.get(`/api/events?after=${after}&limit=25`);
    expect(page.status).toBe(200);
    const { items, next_after } = page.body as { items: LoggedEvent[]; next_after: number };
    if (items.length === 0) return events;
    events.push(...items);
    after = next_after;
  }
}

/** What the API answers for every listing, the event log included. */
function snapshot(databaseUrl: string): Promise<Snapshot> {
  return withServer(databaseUrl, async (api) => {
    const projects = await api.get('/api/projects?include_deleted=true&limit=100');
    const conversations = await api.get('/api/conversations?include_deleted=true&limit=100');
    expect(projects.status).toBe(200);
    expect(conversations.status).toBe(200);
    const messages: Record<string, unknown> = {};
    for (const { id } of conversations.body.items as { id: string }[]) {
      messages[id] = answered(await api.get(`/api/conversations/${id}/messages?limit=100`));
    }
    const stats: Record<string, unknown> = {};
    for (const { id } of projects.body.items as { id: string }[]) {
      stats[id] = answered(await api.get(`/api/projects/${id}/stats`));
    }
    return {
      projects: projects.body,
      conversations: conversations.body,
      messages,
      stats,
      events: await allEvents(api),
    };
  });
}

async function createProject(api: HttpClient, name: string): Promise<string> {
  const reply = await api.post('/api/projects', { name, metadata: { name } });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

async function createConversation(api: HttpClient, projectId: string | null, title: string): Promise<string> {
  const reply = await api.post('/api/conversations', { project_id: projectId, title });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

/** Projects, conversations, messages, a failed answer, reactions, a rename and deletions, through the real app. */
async function populate(databaseUrl: string): Promise<void> {
  await withServer(databaseUrl, async (api, server) => {
    const services = server.services;
    const research = await createProject(api, 'Research');
    const cooking = await createProject(api, 'Cooking');
    const archive = await createProject(api, 'Archive');
    const papers = await createConversation(api, research, 'Papers');
    const recipes = await createConversation(api, cooking, 'Recipes');
    const loose = await createConversation(api, null, 'Loose');
    const scratch = await createConversation(api, research, 'Scratch');

    const first = await exchange(services, papers, 'What is a monad?', 'A monoid in the category of endofunctors.');
    const branch = await exchange(services, papers, 'Explain it to a child.', 'Boxes inside boxes.', {
      parentId: first.assistantId,
      tokens: 11,
      model: 'other-model.gguf',
    });
    const soup = await exchange(services, recipes, 'Soup?', 'Boil water first.', { tokens: 3 });
    await exchange(services, loose, 'Hello', 'Hi!');
    await exchange(services, scratch, 'Draft', 'Noted.');
    const question = uuidv7();
    const failed = uuidv7();
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
        error: 'gone',
        error_type: 'connection',
        partial_content: 'Flour',
      },
    });

    for (const [id, reaction] of [
      [first.assistantId, 'thumbs_up'],
      [branch.assistantId, 'thumbs_up'],
      [soup.assistantId, 'thumbs_down'],
    ] as const) {
      expect((await api.patch(`/api/messages/${id}/reaction`, { reaction })).status).toBe(200);
    }
    expect((await api.patch(`/api/projects/${research}`, { name: 'Reading', description: 'List' })).status).toBe(200);
    expect((await api.patch(`/api/conversations/${loose}`, { title: 'Loose ends', project_id: cooking })).status).toBe(
      200,
    );
    expect((await api.delete(`/api/conversations/${scratch}`)).status).toBe(204);
    expect((await api.delete(`/api/projects/${archive}`)).status).toBe(204);
  });
}

/** More history on top: a project, a conversation with an exchange, another rename. */
async function addMore(databaseUrl: string): Promise<void> {
  await withServer(databaseUrl, async (api, server) => {
    const garden = await createProject(api, 'Garden');
    const roses = await createConversation(api, garden, 'Roses');
    await exchange(server.services, roses, 'When to prune?', 'Late winter.');
    expect((await api.patch(`/api/projects/${garden}`, { name: 'Gardening' })).status).toBe(200);
  });
}

const sourceDir = mkdtempSync(join(tmpdir(), 'gpt-oss-migrate-'));
const sourceUrl = `sqlite:${join(sourceDir, 'src.db')}`;
let target: TestDatabase;
let source: Snapshot;

beforeAll(async () => {
  await populate(sourceUrl);
  source = await snapshot(sourceUrl);
  expect(source.events.length).toBeGreaterThan(30);
  target = await freshDatabase();
});

afterAll(async () => {
  await target?.drop();
  rmSync(sourceDir, { recursive: true, force: true });
});

const progressLine = /^ {2}(\d+) events copied \(position (\d+)\), \d+ events\/s$/;

function copiedProgress(run: CliRun): number[] {
  return run.stdout
    .split('\n')
    .map((line) => progressLine.exec(line))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]));
}

describe('npm run db:copy (node dist/copy-database.mjs)', () => {
  it(
    'copies the whole event log with its positions onto an empty target and rebuilds every read model there',
    async () => {
      const run = await copyDatabase('--from', sourceUrl, '--to', target.url, '--batch-size', '10');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const events = source.events.length;
      const expected = Array.from({ length: Math.ceil(events / 10) }, (_, i) => Math.min((i + 1) * 10, events));
      expect(copiedProgress(run)).toEqual(expected);
      expect(run.stdout).toContain('Rebuilt every read model on the target');
      expect(run.stdout).toMatch(new RegExp(`^Done: ${events} events copied in \\d+\\.\\d{2} s`, 'm'));

      const copy = await snapshot(target.url);
      expect(copy.events).toEqual(source.events);
      expect(copy.projects).toEqual(source.projects);
      expect(copy.conversations).toEqual(source.conversations);
      expect(copy.messages).toEqual(source.messages);
      expect(copy.stats).toEqual(source.stats);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a non-empty target without --append: exit code 1, a clear message, and the target unchanged',
    async () => {
      const run = await copyDatabase('--from', sourceUrl, '--to', target.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Refusing to copy: the target database is not empty');
      expect(run.stderr).toContain('--append');
      expect(copiedProgress(run)).toEqual([]);
      expect(await snapshot(target.url)).toEqual(source);
    },
    TEST_TIMEOUT,
  );

  it(
    'copies 0 events with --append when the target already holds the whole log, and says so',
    async () => {
      const run = await copyDatabase('--from', sourceUrl, '--to', target.url, '--append');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(copiedProgress(run)).toEqual([]);
      expect(run.stdout).toContain(
        `Nothing to copy: the target already holds every event up to ${source.events.at(-1)!.position}`,
      );
      expect(run.stdout).toMatch(/^Done: 0 events copied in /m);
      expect(await snapshot(target.url)).toEqual(source);
    },
    TEST_TIMEOUT,
  );

  it(
    'copies with --append exactly the events added to the source since the last copy, and the read models follow',
    async () => {
      await addMore(sourceUrl);
      const grown = await snapshot(sourceUrl);
      const added = grown.events.length - source.events.length;
      expect(added).toBeGreaterThan(0);

      const run = await copyDatabase('--from', sourceUrl, '--to', target.url, '--append');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(copiedProgress(run)).toEqual([added]);
      expect(run.stdout).toMatch(new RegExp(`^Done: ${added} events copied in `, 'm'));
      expect(await snapshot(target.url)).toEqual(grown);
      source = grown;
    },
    TEST_TIMEOUT,
  );

  it(
    'leaves the target numbering new events right after the last copied position',
    async () => {
      const last = source.events.at(-1)!.position;
      const events = await withServer(target.url, async (api) => {
        await createProject(api, 'After the move');
        return allEvents(api);
      });
      expect(events.slice(0, -1)).toEqual(source.events);
      expect(events.at(-1)!.position).toBe(last + 1);
    },
    TEST_TIMEOUT,
  );

  it(
    'copies the target back into a fresh SQLite database with the same listings, whichever database the target is',
    async () => {
      const expected = await snapshot(target.url);
      const backUrl = `sqlite:${join(sourceDir, 'back.db')}`;
      const run = await copyDatabase('--from', target.url, '--to', backUrl, '--batch-size', '7');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(copiedProgress(run).at(-1)).toBe(expected.events.length);
      expect(await snapshot(backUrl)).toEqual(expected);
    },
    TEST_TIMEOUT,
  );

  it.each([
    ['no --to', ['--from', sourceUrl]],
    ['an unknown option', ['--from', sourceUrl, '--to', 'sqlite:/tmp/x.db', '--force']],
    ['a URL of neither database', ['--from', 'mysql://localhost/db', '--to', 'sqlite:/tmp/x.db']],
    ['a batch size of zero', ['--from', sourceUrl, '--to', 'sqlite:/tmp/x.db', '--batch-size', '0']],
  ])(
    'exits with code 2 and the usage message, copying nothing, given %s',
    async (_case, args) => {
      const run = await copyDatabase(...args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('usage: npm run db:copy -- --from <database-url> --to <database-url>');
    },
    TEST_TIMEOUT,
  );
});
