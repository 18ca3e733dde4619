import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { nearestChunks } from '../../src/knowledge/vector-index/nearest-chunks.js';
import { storeVectors } from '../../src/knowledge/vector-index/store-vectors.js';
import { vectorCount } from '../../src/knowledge/vector-index/vector-count.js';
import { vectorIndexDatabase } from '../support/vector-database.js';
import {
  bruteForceNearest,
  expectRanking,
  randomEntries as entries,
  randomVector,
  seededRandom,
} from '../support/vectors.js';

/*
 * Searches of the vector index called directly, on the app's migrated schema: the same file runs on SQLite (vec0
 * tables) and on PostgreSQL (a table searched in the process), and each answer is checked against a brute-force
 * cosine computed here, so both databases are proved to answer the same. Every test works in projects of its own.
 * The writes are in vector-index-writes.test.ts, the files' bytes in vector-index.sqlite.test.ts.
 */

const MODEL = 'nomic-embed-text';

const em = vectorIndexDatabase();

const search = (projectId: string, vector: Float32Array, k: number, documentIds?: string[], model = MODEL) =>
  nearestChunks(em(), {
    project_id: projectId,
    model,
    vector,
    k,
    ...(documentIds ? { document_ids: documentIds } : {}),
  });

describe('nearestChunks', () => {
  it('finds the k vectors of the project most similar by cosine, best first, with their similarities', async () => {
    const random = seededRandom(1);
    const stored = entries(random, 300, 8);
    await storeVectors(em(), MODEL, stored);
    for (const k of [1, 5, 30, 299, 300, 500]) {
      const query = randomVector(random, 8);
      const found = await search(stored[0]!.project_id, query, k);
      expect(found).toHaveLength(Math.min(k, 300));
      expectRanking(found, bruteForceNearest(query, stored, k));
    }
  });

  it("leaves out other projects' vectors and other models' vectors, even the same as the query", async () => {
    const random = seededRandom(2);
    const mine = entries(random, 40, 8);
    const projectId = mine[0]!.project_id;
    const query = randomVector(random, 8);
    const theirs = entries(random, 10, 8).map((entry) => ({ ...entry, vector: query }));
    const otherModel = entries(random, 10, 8, projectId).map((entry) => ({ ...entry, vector: query }));
    await storeVectors(em(), MODEL, [...mine, ...theirs]);
    await storeVectors(em(), 'another-model', otherModel);

    expectRanking(await search(projectId, query, 60), bruteForceNearest(query, mine, 60));
    expectRanking(
      await search(projectId, query, 5, undefined, 'another-model'),
      bruteForceNearest(query, otherModel, 5),
    );
    expect((await search(theirs[0]!.project_id, query, 60)).map((hit) => hit.similarity)).toEqual(Array(10).fill(1));
    expect(await search(uuidv7(), query, 5)).toEqual([]);
    expect(await search(projectId, query, 5, undefined, 'a-model-never-used')).toEqual([]);
  });

  it('finds only chunks of the documents named when a document list is given, and none for an empty list', async () => {
    const random = seededRandom(3);
    const stored = entries(random, 80, 8, uuidv7(), 5);
    const projectId = stored[0]!.project_id;
    await storeVectors(em(), MODEL, stored);
    const documents = [...new Set(stored.map((entry) => entry.document_id))];
    const query = randomVector(random, 8);

    const two = [documents[1]!, documents[3]!];
    const ofTwo = stored.filter((entry) => two.includes(entry.document_id));
    expectRanking(await search(projectId, query, 10, two), bruteForceNearest(query, ofTwo, 10));
    expectRanking(await search(projectId, query, 80, two), bruteForceNearest(query, ofTwo, 80));
    const ofOne = stored.filter((entry) => entry.document_id === documents[4]);
    expectRanking(await search(projectId, query, 3, [documents[4]!, uuidv7()]), bruteForceNearest(query, ofOne, 3));
    expect(await search(projectId, query, 10, [])).toEqual([]);
    expect(await search(projectId, query, 10, [uuidv7()])).toEqual([]);
  });

  it('finds nothing for k = 0, though the project has vectors', async () => {
    const random = seededRandom(4);
    const stored = entries(random, 10, 8);
    await storeVectors(em(), MODEL, stored);
    expect(await search(stored[0]!.project_id, stored[0]!.vector, 0)).toEqual([]);
    expect(await search(stored[0]!.project_id, stored[0]!.vector, 1)).toHaveLength(1);
  });

  it('keeps vectors of two dimensions in one project apart: a query is compared with those of its dimension only', async () => {
    const random = seededRandom(5);
    const projectId = uuidv7();
    const eight = entries(random, 50, 8, projectId);
    const sixteen = entries(random, 50, 16, projectId);
    // Interleaved in one call, so a store switches between the two tables.
    await storeVectors(
      em(),
      MODEL,
      eight.flatMap((entry, i) => [entry, sixteen[i]!]),
    );
    const all = [...eight, ...sixteen];
    for (const dimensions of [8, 16]) {
      const query = randomVector(random, dimensions);
      const found = await search(projectId, query, 100);
      expect(found).toHaveLength(50);
      expectRanking(found, bruteForceNearest(query, all, 100));
    }
    expect(await search(projectId, randomVector(random, 12), 10)).toEqual([]);
    expect(await vectorCount(em(), projectId)).toBe(100);
  });
});

describe('what the index refuses', () => {
  it('refuses a search with k outside 0 to 1024, a vector of zeros or too many documents', async () => {
    const projectId = uuidv7();
    const vector = Float32Array.from([1, 2, 3]);
    for (const k of [-1, 1.5, 1025]) await expect(search(projectId, vector, k)).rejects.toThrow(RangeError);
    await expect(search(projectId, new Float32Array(3), 1)).rejects.toThrow(RangeError);
    const documents = Array.from({ length: 10_001 }, (_, i) => `d${i}`);
    await expect(search(projectId, vector, 1, documents)).rejects.toThrow(RangeError);
    expect(await search(projectId, vector, 1024)).toEqual([]);
  });

  it('stores none of the entries when one of them cannot be stored', async () => {
    const random = seededRandom(16);
    const [good, bad] = entries(random, 2, 8);
    const invalid = [new Float32Array(8), Float32Array.from([1, Number.NaN]), new Float32Array(0)];
    for (const vector of invalid) {
      await expect(storeVectors(em(), MODEL, [good!, { ...bad!, vector }])).rejects.toThrow(RangeError);
    }
    await expect(storeVectors(em(), '', [good!])).rejects.toThrow(TypeError);
    expect(await vectorCount(em(), good!.project_id)).toBe(0);
  });
});

describe('nearestChunks among thousands of equal vectors', () => {
  it('ranks more than 4,096 vectors the same as the query by chunk id, as it does fewer, documents named or not', async () => {
    const projectId = uuidv7();
    const same = Float32Array.from([1, 0, 0]);
    // More than vec0 answers at once, stored in the reverse of their chunk ids' order.
    const stored = Array.from({ length: 4200 }, (_, i) => ({
      chunk_id: `${projectId}-${String(4199 - i).padStart(4, '0')}`,
      document_id: `${projectId}-d${i % 7}`,
      project_id: projectId,
      vector: same,
    }));
    await storeVectors(em(), MODEL, stored);
    expectRanking(await search(projectId, same, 3), bruteForceNearest(same, stored, 3));
    const documents = [`${projectId}-d2`, `${projectId}-d5`];
    const ofThose = stored.filter((entry) => documents.includes(entry.document_id));
    expectRanking(await search(projectId, same, 5, documents), bruteForceNearest(same, ofThose, 5));
  });
});
