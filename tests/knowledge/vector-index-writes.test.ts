import type { EntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/connect-database.js';
import { inTransaction } from '../../src/db/in-transaction.js';
import { uuidv7 } from '../../src/ids.js';
import { nearestChunks } from '../../src/knowledge/vector-index/nearest-chunks.js';
import { vectorsAfter } from '../../src/knowledge/vector-index/read-vectors.js';
import { removeVectors } from '../../src/knowledge/vector-index/remove-vectors.js';
import { storeVectors } from '../../src/knowledge/vector-index/store-vectors.js';
import type { VectorEntry } from '../../src/knowledge/vector-index/types.js';
import { vectorCount } from '../../src/knowledge/vector-index/vector-count.js';
import { chunksWithVectors, textHash, vectorsOfTexts } from '../../src/knowledge/vector-index/vectors-by-text.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import {
  bruteForceNearest,
  expectRanking,
  randomEntries as entries,
  randomVector,
  seededRandom,
  type Candidate,
} from '../support/vectors.js';

/*
 * Writes of the vector index called directly, on the app's migrated schema, on SQLite and on PostgreSQL: what a
 * search, a count and the reads see after a chunk is stored again, after writes through another connection or a
 * rolled-back transaction, and after removals; the text lookup and the paged read. Every search is checked against
 * a brute-force cosine computed here. Every test works in projects of its own.
 */

const MODEL = 'nomic-embed-text';

let database: TestDatabase;
let db: Database;
let em: () => EntityManager;

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
  em = db.em;
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const search = (projectId: string, vector: Float32Array, k: number, documentIds?: string[], model = MODEL) =>
  nearestChunks(em(), {
    project_id: projectId,
    model,
    vector,
    k,
    ...(documentIds ? { document_ids: documentIds } : {}),
  });

describe('storing a chunk again', () => {
  const only = (chunk: VectorEntry, vector: Float32Array) => bruteForceNearest(vector, [{ ...chunk, vector }], 1);

  it('replaces its vector in the same project: the search finds the new one and not the old', async () => {
    const random = seededRandom(6);
    const [chunk, ...others] = entries(random, 20, 8);
    await storeVectors(em(), MODEL, [chunk!, ...others]);
    const projectId = chunk!.project_id;
    const vector = randomVector(random, 8);
    await storeVectors(em(), MODEL, [{ ...chunk!, vector }]);

    const found = await search(projectId, vector, 20);
    expectRanking(found, bruteForceNearest(vector, [...others, { ...chunk!, vector }], 20));
    expect(found[0]!.chunk_id).toBe(chunk!.chunk_id);
    expect(await search(projectId, chunk!.vector, 20)).not.toContainEqual(
      expect.objectContaining({ similarity: only(chunk!, chunk!.vector)[0]!.similarity }),
    );
    expect(await vectorCount(em(), projectId)).toBe(20);
  });

  it('moves it to another project: only that project finds it, and each counts it once', async () => {
    const random = seededRandom(7);
    const [chunk, ...others] = entries(random, 10, 8);
    await storeVectors(em(), MODEL, [chunk!, ...others]);
    const from = chunk!.project_id;
    const to = uuidv7();
    const vector = randomVector(random, 8);
    await storeVectors(em(), MODEL, [{ ...chunk!, project_id: to, vector }]);

    expectRanking(await search(from, vector, 10), bruteForceNearest(vector, others, 10));
    expectRanking(await search(to, vector, 10), only(chunk!, vector));
    expect([await vectorCount(em(), from), await vectorCount(em(), to)]).toEqual([9, 1]);
  });

  it('moves it to another dimension and model: a search of the old one no longer finds it', async () => {
    const random = seededRandom(8);
    const [chunk, ...others] = entries(random, 10, 8);
    await storeVectors(em(), MODEL, [chunk!, ...others]);
    const projectId = chunk!.project_id;
    const vector = randomVector(random, 16);
    await storeVectors(em(), 'another-model', [{ ...chunk!, vector }]);

    expectRanking(await search(projectId, chunk!.vector, 10), bruteForceNearest(chunk!.vector, others, 10));
    expect(await search(projectId, vector, 10)).toEqual([]);
    expectRanking(await search(projectId, vector, 10, undefined, 'another-model'), only(chunk!, vector));
    expect(await vectorCount(em(), projectId)).toBe(10);
  });

  it('twice in one call stores the last of its vectors', async () => {
    const random = seededRandom(9);
    const [chunk] = entries(random, 1, 8);
    const last = randomVector(random, 8);
    await storeVectors(em(), MODEL, [chunk!, { ...chunk!, vector: last }]);
    expectRanking(await search(chunk!.project_id, last, 5), only(chunk!, last));
    expect(await vectorCount(em(), chunk!.project_id)).toBe(1);
  });
});

describe('a search after a write through another connection', () => {
  it('sees vectors stored and removed through another entity manager and another connection pool', async () => {
    const random = seededRandom(10);
    const stored = entries(random, 30, 8);
    const projectId = stored[0]!.project_id;
    const other = await connectDatabase(database.url);
    try {
      await storeVectors(em(), MODEL, stored);
      const query = randomVector(random, 8);
      const searcher = em();
      const searchWith = (manager: EntityManager) =>
        nearestChunks(manager, { project_id: projectId, model: MODEL, vector: query, k: 50 });
      expectRanking(await searchWith(searcher), bruteForceNearest(query, stored, 50));

      // Stored through the other pool: on PostgreSQL only the project's new stamp tells this process's cache.
      const added = entries(random, 5, 8, projectId);
      await storeVectors(other.em(), MODEL, added);
      expectRanking(await searchWith(searcher), bruteForceNearest(query, [...stored, ...added], 50));
      expectRanking(await searchWith(other.em()), bruteForceNearest(query, [...stored, ...added], 50));

      // A vector stored again through the other pool, in place.
      const moved = { ...stored[3]!, vector: query };
      await storeVectors(other.em(), MODEL, [moved]);
      const now = [...stored.filter((entry) => entry !== stored[3]), ...added, moved];
      expectRanking(await searchWith(searcher), bruteForceNearest(query, now, 50));

      // Removed through the other pool, and through another entity manager of this one.
      await removeVectors(other.em(), { document_id: stored[0]!.document_id });
      const left = now.filter((entry) => entry.document_id !== stored[0]!.document_id);
      expectRanking(await searchWith(searcher), bruteForceNearest(query, left, 50));
      await removeVectors(em(), { chunk_ids: [left[0]!.chunk_id] });
      expectRanking(await searchWith(searcher), bruteForceNearest(query, left.slice(1), 50));
      expectRanking(await searchWith(other.em()), bruteForceNearest(query, left.slice(1), 50));
    } finally {
      await other.close();
    }
  });
});

describe('a search in a transaction', () => {
  it('sees its own store before the commit, and no search sees it after a rollback', async () => {
    const random = seededRandom(15);
    const stored = entries(random, 10, 8);
    const projectId = stored[0]!.project_id;
    await storeVectors(em(), MODEL, stored);
    const query = randomVector(random, 8);
    expectRanking(await search(projectId, query, 20), bruteForceNearest(query, stored, 20));

    const added = entries(random, 3, 8, projectId);
    const rolledBack = new Error('rolled back');
    await expect(
      inTransaction(em(), async (tx) => {
        await storeVectors(tx, MODEL, added);
        await removeVectors(tx, { chunk_ids: [stored[0]!.chunk_id] });
        const inside = await nearestChunks(tx, { project_id: projectId, model: MODEL, vector: query, k: 20 });
        expectRanking(inside, bruteForceNearest(query, [...stored.slice(1), ...added], 20));
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expectRanking(await search(projectId, query, 20), bruteForceNearest(query, stored, 20));
    expect(await vectorCount(em(), projectId)).toBe(10);
  });
});

describe('removeVectors', () => {
  async function twoProjects() {
    const random = seededRandom(11);
    const first = entries(random, 24, 8, uuidv7(), 3);
    const second = entries(random, 6, 16, uuidv7(), 2);
    await storeVectors(em(), MODEL, [...first, ...second]);
    return { random, first, second, all: [...first, ...second] };
  }

  /** What is left is exactly `left`: searched, counted and listed by document. */
  async function expectLeft(all: VectorEntry[], left: VectorEntry[], random: () => number) {
    for (const projectId of new Set(all.map((entry) => entry.project_id))) {
      const here = left.filter((entry) => entry.project_id === projectId);
      expect(await vectorCount(em(), projectId)).toBe(here.length);
      for (const dimensions of [8, 16]) {
        const query = randomVector(random, dimensions);
        expectRanking(await search(projectId, query, 100), bruteForceNearest(query, here, 100));
      }
    }
    for (const documentId of new Set(all.map((entry) => entry.document_id))) {
      const chunks = left.filter((entry) => entry.document_id === documentId).map((entry) => entry.chunk_id);
      expect((await chunksWithVectors(em(), documentId)).sort()).toEqual(chunks.sort());
    }
  }

  it('by chunk ids removes exactly those chunks, of either project and dimension', async () => {
    const { random, first, second, all } = await twoProjects();
    const gone = [first[0]!, first[7]!, first[23]!, second[2]!].map((entry) => entry.chunk_id);
    await removeVectors(em(), { chunk_ids: [...gone, gone[0]!, uuidv7()] });
    await expectLeft(
      all,
      all.filter((entry) => !gone.includes(entry.chunk_id)),
      random,
    );
    await removeVectors(em(), { chunk_ids: [] });
    await expectLeft(
      all,
      all.filter((entry) => !gone.includes(entry.chunk_id)),
      random,
    );
  });

  it("by document id removes exactly that document's chunks", async () => {
    const { random, first, all } = await twoProjects();
    const documentId = first[1]!.document_id;
    await removeVectors(em(), { document_id: documentId });
    await expectLeft(
      all,
      all.filter((entry) => entry.document_id !== documentId),
      random,
    );
  });

  it("by project id removes exactly that project's chunks", async () => {
    const { random, second, all } = await twoProjects();
    await removeVectors(em(), { project_id: second[0]!.project_id });
    await expectLeft(
      all,
      all.filter((entry) => entry.project_id !== second[0]!.project_id),
      random,
    );
    // The project can be stored into again.
    await storeVectors(em(), MODEL, [second[0]!]);
    await expectLeft(all, [...all.filter((entry) => entry.project_id !== second[0]!.project_id), second[0]!], random);
  });
});

describe('many chunks at once', () => {
  it('stores, finds by text and removes more chunks than one statement lists', async () => {
    const random = seededRandom(14);
    const stored = entries(random, 1200, 8).map((entry, i) => ({ ...entry, text_hash: textHash(`many ${i}`) }));
    const projectId = stored[0]!.project_id;
    await storeVectors(em(), MODEL, stored);
    expect(await vectorCount(em(), projectId)).toBe(1200);
    const texts = await vectorsOfTexts(
      em(),
      MODEL,
      stored.map((entry) => entry.text_hash),
    );
    expect(texts).toEqual(new Map(stored.map((entry) => [entry.text_hash, entry.vector])));

    const gone = new Set(stored.filter((_, i) => i % 3 !== 0).map((entry) => entry.chunk_id));
    await removeVectors(em(), { chunk_ids: [...gone] });
    const left = stored.filter((entry) => !gone.has(entry.chunk_id));
    expect(await vectorCount(em(), projectId)).toBe(400);
    const query = randomVector(random, 8);
    expectRanking(await search(projectId, query, 1024), bruteForceNearest(query, left, 1024));
  });
});

describe('vectorsOfTexts', () => {
  it('finds the vector a model made of a text by its hash, and none of another model or of an unknown text', async () => {
    const random = seededRandom(12);
    const [a, b, c] = entries(random, 3, 8);
    const hashA = textHash('The light turns green.');
    const hashB = textHash('Hold the reset button.');
    await storeVectors(em(), MODEL, [
      { ...a!, text_hash: hashA },
      { ...b!, text_hash: hashB },
    ]);
    const ofAnotherModel = randomVector(random, 16);
    await storeVectors(em(), 'another-model', [{ ...c!, vector: ofAnotherModel, text_hash: hashA }]);

    const found = await vectorsOfTexts(em(), MODEL, [hashA, hashB, hashA, textHash('never stored')]);
    expect(found).toEqual(
      new Map([
        [hashA, a!.vector],
        [hashB, b!.vector],
      ]),
    );
    expect(await vectorsOfTexts(em(), 'another-model', [hashB])).toEqual(new Map());
    expect(await vectorsOfTexts(em(), 'a-model-never-used', [hashA])).toEqual(new Map());
    expect(await vectorsOfTexts(em(), 'another-model', [hashA])).toEqual(new Map([[hashA, ofAnotherModel]]));
  });
});

describe('vectorsAfter', () => {
  it('pages through every stored vector in chunk id order, with its project, document, model and text hash', async () => {
    // A database of its own: vectorsAfter reads every project's vectors.
    const own = await freshDatabase();
    const ownDb = await openDatabase(own.url);
    try {
      const random = seededRandom(13);
      const stored = [
        ...entries(random, 9, 8).map((entry, i) => ({ ...entry, model: MODEL, text_hash: textHash(`text ${i}`) })),
        ...entries(random, 7, 16).map((entry) => ({ ...entry, model: MODEL })),
        ...entries(random, 8, 8).map((entry) => ({ ...entry, model: 'another-model' })),
      ];
      for (const model of [MODEL, 'another-model']) {
        const ofModel = stored.filter((entry) => entry.model === model);
        await storeVectors(
          ownDb.em(),
          model,
          ofModel.map(({ model: _, ...entry }) => entry),
        );
      }

      const pages: Candidate[][] = [];
      for (let after = ''; ;) {
        const page = await vectorsAfter(ownDb.em(), after, 5);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(5);
        pages.push(page);
        after = page.at(-1)!.chunk_id;
      }
      const byId = [...stored].sort((x, y) => (x.chunk_id < y.chunk_id ? -1 : 1));
      expect(pages.flat()).toEqual(byId);
      expect(pages).toHaveLength(5);
      expect(await vectorsAfter(ownDb.em(), byId[10]!.chunk_id, 3)).toEqual(byId.slice(11, 14));
    } finally {
      await ownDb.close();
      await own.drop();
    }
  });
});
