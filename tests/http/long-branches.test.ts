import { beforeAll, describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import type { Services } from '../../src/http/app-state.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;
let services: Services;
let conversationId: string;
/** 200 messages on the first branch; the current one leaves it at depth 129 and runs 60 more. */
let firstBranch: string[];
let currentBranch: string[];

beforeAll(async () => {
  const server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
  conversationId = (await api.post('/api/conversations', { title: 'A long one' })).body.id;
  firstBranch = await turns(100, null);
  // An edit of the question at depth 128: a new branch from the answer above it, deeper than two anchors.
  currentBranch = [...firstBranch.slice(0, 128), ...(await turns(30, firstBranch[127]!))];
}, 60_000);

/** `count` question/answer pairs, each replying to the one before, the first to `parentId`; their ids in order. */
async function turns(count: number, parentId: string | null): Promise<string[]> {
  const ids: string[] = [];
  let parent = parentId;
  for (let i = 0; i < count; i++) {
    const turn = await exchange(services, conversationId, `question ${i}`, `answer ${i}`, { parentId: parent });
    ids.push(turn.userId, turn.assistantId);
    parent = turn.assistantId;
  }
  return ids;
}

/** Every page of a branch listing, followed by its cursors. */
async function pagedIds(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Reply<{ items: { id: string }[]; next_cursor: string | null }> = await api.get(
      `/api/conversations/${conversationId}/messages?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status, page.text).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.body.items.map((m) => m.id));
    cursor = page.body.next_cursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('a branch far deeper than the anchor spacing (64)', () => {
  it('?path=current pages root -> leaf in order, with no gap and no repeat, whatever the page size', async () => {
    for (const limit of [7, 64, 100, 188, 500]) {
      const { ids, pages } = await pagedIds('path=current', limit);
      expect(ids, `limit ${limit}`).toEqual(currentBranch);
      expect(pages).toBe(Math.max(1, Math.ceil(currentBranch.length / limit)));
    }
  });

  it('?leaf= pages the other branch down to its own leaf, and to any message in the middle', async () => {
    expect((await pagedIds(`leaf=${firstBranch.at(-1)}`, 33)).ids).toEqual(firstBranch);
    expect((await pagedIds(`leaf=${firstBranch[150]}`, 50)).ids).toEqual(firstBranch.slice(0, 151));
    expect((await pagedIds(`leaf=${firstBranch[0]}`, 50)).ids).toEqual(firstBranch.slice(0, 1));
  });

  it('gives the same pages after the read models are rebuilt from the log', async () => {
    await rebuildProjections(services.db.em(), projectors, { batchSize: 37 });
    expect((await pagedIds('path=current', 64)).ids).toEqual(currentBranch);
    expect((await pagedIds(`leaf=${firstBranch.at(-1)}`, 100)).ids).toEqual(firstBranch);
  });
});
