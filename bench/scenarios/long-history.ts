import { projectNotDeleted } from '../../src/queries/visibility.js';
import { atMost, figure } from '../support/figure.js';
import { freshDatabaseUrl, startServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { migrate, openRaw, planLog, rebuildReadModels, writeLog, type RawDatabase } from '../support/seed-log.js';
import { median } from '../support/stats.js';

/** The API's default page sizes (src/http/routes/conversations.routes.ts). */
const MESSAGE_PAGE = 100;
const CONVERSATION_PAGE = 50;
const REACTION_EVERY = 10;

const MESSAGE_COLUMNS =
  'm.id, m.conversation_id, m.seq, m.role, m.content, m.status, m.finish_reason, m.reaction, m.parent_message_id, ' +
  'm.token_count, m.model_name, m.completion_time_ms, m.metadata, m.created_at, m.updated_at';
const CONVERSATION_COLUMNS =
  'c.id, c.project_id, c.title, c.metadata, c.created_at, c.updated_at, c.deleted_at, c.last_message_at, ' +
  'c.activity_at, c.message_count, c.current_leaf_id, c.version';

/** What the endpoints run, as src/queries/*.ts build it, without the ORM and HTTP. */
const SQL = {
  conversation: `select ${CONVERSATION_COLUMNS} from conversations c where c.id = ? and c.deleted_at is null and ${projectNotDeleted} limit 1`,
  messages: `select ${MESSAGE_COLUMNS} from messages m where m.conversation_id = ? and m.seq > ? order by m.seq asc limit ?`,
  // The anchored walk of src/queries/message-path.ts (pathPage).
  pathPage: `with recursive
      jump (id, depth, anchor_id) as (
        select id, depth, anchor_id from messages where id = ? and conversation_id = ?
        union all
        select a.id, a.depth, a.anchor_id from jump join messages a on a.id = jump.anchor_id where a.depth >= ?
      ),
      walk (id, parent_message_id, depth) as (
        select id, parent_message_id, depth from messages where id = (select id from jump order by depth limit 1)
        union all
        select p.id, p.parent_message_id, p.depth from walk join messages p on p.id = walk.parent_message_id
        where walk.depth > ?
      )
      select ${MESSAGE_COLUMNS} from walk join messages m on m.id = walk.id
      where walk.depth between ? and ? order by walk.depth`,
  conversations: `select ${CONVERSATION_COLUMNS} from conversations c where c.deleted_at is null and ${projectNotDeleted} order by c.activity_at desc, c.id desc limit ?`,
};

/**
 * Reads on a large database, seeded straight into the event log and rebuilt: one conversation of 10,000 messages
 * among 10,000 conversations. p50 of sequential requests against p50 of the same SELECTs run raw in this process.
 */
export const longHistory: Scenario = {
  name: 'long-history',
  async run(ctx) {
    const longMessages = ctx.quick ? 200 : 10_000;
    const conversations = ctx.quick ? 200 : 10_000;
    const requests = ctx.quick ? 5 : 50;
    const log = planLog({
      // The long one first, then conversations of one question and its answer.
      messages: [longMessages, ...Array<number>(conversations - 1).fill(2)],
      reactionEvery: REACTION_EVERY,
      projects: 5,
    });
    const longId = log.conversationIds[0]!;
    const figures = { messages: [] as number[], path: [] as number[], conversations: [] as number[] };
    const bounds = { messages: [] as number[], path: [] as number[], conversations: [] as number[] };

    const database = await freshDatabaseUrl();
    try {
      await migrate(database.url);
      ctx.log(`  seeding ${log.events} events (${log.messages} messages in ${conversations} conversations)`);
      const written = await writeLog(database.url, log.rows());
      if (written !== log.events) throw new Error(`wrote ${written} of ${log.events} events`);
      const rebuilt = await rebuildReadModels(database.url, ctx.log);
      if (rebuilt.events !== log.events) {
        throw new Error(`the rebuild replayed ${rebuilt.events} of ${log.events}:\n${rebuilt.output}`);
      }
      ctx.log(
        `  projections:rebuild: ${rebuilt.events} events in ${rebuilt.seconds} s ` +
          `(${Math.round(rebuilt.events / rebuilt.seconds)} events/s)`,
      );
      const server = await startServer({ DATABASE_URL: database.url, LLM_API_URL: 'http://127.0.0.1:9' });
      const raw = await openRaw(database.url);
      try {
        await validate(server.url, longId, longMessages, conversations);
        const path = await getJson<Page>(`${server.url}/api/conversations/${longId}/messages?path=current`);
        ctx.log(
          `  ?path=current answers ${path.items.length} of ${longMessages} messages per request` +
            (path.next_cursor ? ' (paged, next_cursor set)' : ''),
        );
        const endpoints = {
          messages: {
            api: () => get(`${server.url}/api/conversations/${longId}/messages`),
            raw: () => rawMessages(raw, longId),
          },
          path: {
            api: () => get(`${server.url}/api/conversations/${longId}/messages?path=current`),
            raw: () => rawPath(raw, longId),
          },
          conversations: {
            api: () => get(`${server.url}/api/conversations`),
            raw: () => raw.all(SQL.conversations, [CONVERSATION_PAGE + 1]),
          },
        };
        for (let run = 0; run < ctx.runs; run++) {
          for (const [name, endpoint] of Object.entries(endpoints) as [keyof typeof endpoints, Endpoint][]) {
            await repeat(3, endpoint.api);
            await repeat(3, endpoint.raw);
            figures[name].push(await p50(requests, endpoint.api));
            bounds[name].push(await p50(requests, endpoint.raw));
          }
        }
      } finally {
        await raw.close();
        await server.stop();
      }
    } finally {
      await database.drop();
    }
    const bound = (runs: number[], what = 'indexed SELECTs') => ({ label: `the same ${what}, raw, in process`, runs });
    const tenMs = atMost(10, 'ms');
    const size = `${longMessages} messages`;
    return [
      figure(
        'long-history',
        `GET messages, first page (${MESSAGE_PAGE} of ${size}) p50`,
        'ms',
        figures.messages,
        bound(bounds.messages),
        tenMs,
      ),
      figure(
        'long-history',
        `GET messages?path=current, first page (${MESSAGE_PAGE} of ${size}) p50`,
        'ms',
        figures.path,
        bound(bounds.path, 'anchored recursive walk + SELECT'),
        tenMs,
      ),
      figure(
        'long-history',
        `GET conversations, first page (${CONVERSATION_PAGE} of ${conversations}) p50`,
        'ms',
        figures.conversations,
        bound(bounds.conversations),
        tenMs,
      ),
    ];
  },
};

type Endpoint = { api: () => Promise<unknown>; raw: () => Promise<unknown> };
type Message = {
  id: string;
  role: string;
  status: string;
  parent_message_id: string | null;
  finish_reason: string | null;
  token_count: number | null;
  model_name: string | null;
  reaction: string | null;
};
type Page = { items: Message[]; next_cursor: string | null };
type ConversationPage = {
  items: { id: string; message_count: number; current_leaf_id: string | null }[];
  next_cursor: string | null;
};

async function rawMessages(raw: RawDatabase, id: string) {
  await raw.all(SQL.conversation, [id]);
  return raw.all(SQL.messages, [id, 0, MESSAGE_PAGE + 1]);
}

async function rawPath(raw: RawDatabase, id: string) {
  const [conversation] = await raw.all(SQL.conversation, [id]);
  const leaf = conversation!.current_leaf_id as string;
  return raw.all(SQL.pathPage, [leaf, id, MESSAGE_PAGE, 0, 0, MESSAGE_PAGE]);
}

async function repeat(times: number, once: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < times; i++) await once();
}

async function p50(times: number, once: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await once();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

/** The whole answer, read to its end, as a client would. */
async function get(url: string): Promise<string> {
  const reply = await fetch(url);
  const body = await reply.text();
  if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}: ${body.slice(0, 300)}`);
  return body;
}

async function getJson<T>(url: string): Promise<T> {
  return JSON.parse(await get(url)) as T;
}

/**
 * The seeded log is valid if the API serves it whole: every conversation listed, and the long one's current
 * branch root to leaf, each message answering the one before, every answer completed.
 */
async function validate(url: string, longId: string, longMessages: number, conversations: number): Promise<void> {
  const listed = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: ConversationPage = await getJson(
      `${url}/api/conversations?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const item of page.items) {
      listed.add(item.id);
      if (item.id === longId && item.message_count !== longMessages) {
        throw new Error(`the long conversation counts ${item.message_count} messages, not ${longMessages}`);
      }
      if (item.current_leaf_id === null) throw new Error(`conversation ${item.id} has no current leaf`);
    }
    cursor = page.next_cursor;
  } while (cursor);
  if (listed.size !== conversations) throw new Error(`GET /api/conversations lists ${listed.size} of ${conversations}`);

  let parent: string | null = null;
  let count = 0;
  let reactions = 0;
  cursor = null;
  do {
    const page: Page = await getJson(
      `${url}/api/conversations/${longId}/messages?path=current&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const m of page.items) {
      const role = count % 2 === 0 ? 'user' : 'assistant';
      const answered = role === 'user' || (m.finish_reason === 'stop' && m.token_count !== null && m.model_name);
      if (m.parent_message_id !== parent || m.role !== role || m.status !== 'complete' || !answered) {
        throw new Error(`message ${count} of the current path is not what the log says: ${JSON.stringify(m)}`);
      }
      if (m.reaction !== null) reactions++;
      parent = m.id;
      count++;
    }
    cursor = page.next_cursor;
  } while (cursor);
  if (count !== longMessages) throw new Error(`?path=current walks ${count} of ${longMessages} messages`);
  const expected = Math.floor(longMessages / 2 / REACTION_EVERY);
  if (reactions !== expected) throw new Error(`${reactions} reactions on the current path, not ${expected}`);
}
