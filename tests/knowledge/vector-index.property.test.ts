import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { nearestChunks } from '../../src/knowledge/vector-index/nearest-chunks.js';
import { vectorsAfter, type StoredVector } from '../../src/knowledge/vector-index/read-vectors.js';
import { removeVectors } from '../../src/knowledge/vector-index/remove-vectors.js';
import { storeVectors } from '../../src/knowledge/vector-index/store-vectors.js';
import type { VectorEntry } from '../../src/knowledge/vector-index/types.js';
import { vectorCount } from '../../src/knowledge/vector-index/vector-count.js';
import { chunksWithVectors, vectorsOfTexts } from '../../src/knowledge/vector-index/vectors-by-text.js';
import { vectorIndexDatabase } from '../support/vector-database.js';
import { bruteForceNearest } from '../support/vectors.js';

/*
 * Any sequence of stores and removals leaves the index answering what a list of the stored vectors kept here
 * answers: searches (against a brute-force cosine), counts, the chunks of each document, texts and the paged read.
 * The vectors are small integers, so every dot product and norm is exact in doubles and the expected similarities
 * are the index's to the last bit: many are equal (the same vector, or one pointing the same way), so the ranking
 * of ties by chunk id, and SQLite's float32 candidate search around them, are put to the test. The file runs on
 * SQLite and PostgreSQL, so the two are proved to agree.
 */

const PROJECTS = 3;
const DOCUMENTS = 4;
const CHUNKS = 12;
const MODELS = ['model-a', 'model-b'];
const DIMENSIONS = [3, 5];
const TEXTS = 3;

const em = vectorIndexDatabase();

const vector = (dimensions: number) =>
  fc
    .array(fc.integer({ min: -2, max: 2 }), { minLength: dimensions, maxLength: dimensions })
    .filter((values) => values.some((value) => value !== 0))
    .map((values) => Float32Array.from(values));
const anyVector = fc.constantFrom(...DIMENSIONS).chain(vector);

const entry = fc.record({
  chunk: fc.nat(CHUNKS - 1),
  document: fc.nat(DOCUMENTS - 1),
  project: fc.nat(PROJECTS - 1),
  vector: anyVector,
  text: fc.option(fc.nat(TEXTS - 1), { nil: undefined }),
});

const query = fc.record({
  project: fc.nat(PROJECTS - 1),
  model: fc.nat(MODELS.length - 1),
  vector: anyVector,
  k: fc.nat(CHUNKS + 2),
  documents: fc.option(fc.uniqueArray(fc.nat(DOCUMENTS), { maxLength: 3 }), { nil: undefined }),
});

type Query = typeof query extends fc.Arbitrary<infer T> ? T : never;

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('store' as const),
    model: fc.nat(MODELS.length - 1),
    entries: fc.array(entry, { minLength: 1, maxLength: 5 }),
  }),
  fc.record({ kind: fc.constant('remove chunks' as const), chunks: fc.array(fc.nat(CHUNKS - 1), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('remove document' as const), document: fc.nat(DOCUMENTS - 1) }),
  fc.record({ kind: fc.constant('remove project' as const), project: fc.nat(PROJECTS - 1) }),
);

type Kept = StoredVector;

/** Names of one run: fresh, so runs share the database without seeing each other's vectors. */
function namesOfRun() {
  const run = uuidv7();
  const names = (what: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${run}-${what}${String(i).padStart(2, '0')}`);
  // One document more than stored into, to name in a search's document list.
  return { chunks: names('c', CHUNKS), documents: names('d', DOCUMENTS + 1), projects: names('p', PROJECTS) };
}

/** Each search finds what a brute-force search of the vectors kept finds, similarities to the last bit. */
async function expectSameAnswers(kept: Map<string, Kept>, names: ReturnType<typeof namesOfRun>, searches: Query[]) {
  for (const search of searches) {
    const documentIds = search.documents?.map((i) => names.documents[i]!);
    const candidates = [...kept.values()].filter(
      (stored) =>
        stored.project_id === names.projects[search.project] &&
        stored.model === MODELS[search.model] &&
        (!documentIds || documentIds.includes(stored.document_id)),
    );
    const found = await nearestChunks(em(), {
      project_id: names.projects[search.project]!,
      model: MODELS[search.model]!,
      vector: search.vector,
      k: search.k,
      ...(documentIds ? { document_ids: documentIds } : {}),
    });
    expect(found).toEqual(bruteForceNearest(search.vector, candidates, search.k));
  }
}

describe('the vector index after any stores and removals', () => {
  it('answers every search, count and read as the list of vectors stored and not removed does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(operation, query), { minLength: 1, maxLength: 8 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        async (steps, finalSearches) => {
          const names = namesOfRun();
          const kept = new Map<string, Kept>();
          for (const [op, search] of steps) {
            if (op.kind === 'store') {
              const model = MODELS[op.model]!;
              const entries = op.entries.map((e): VectorEntry => ({
                chunk_id: names.chunks[e.chunk]!,
                document_id: names.documents[e.document]!,
                project_id: names.projects[e.project]!,
                vector: e.vector,
                ...(e.text === undefined ? {} : { text_hash: `${names.chunks[0]}-text${e.text}` }),
              }));
              await storeVectors(em(), model, entries);
              for (const stored of entries) kept.set(stored.chunk_id, { ...stored, model });
            } else if (op.kind === 'remove chunks') {
              const chunkIds = op.chunks.map((i) => names.chunks[i]!);
              await removeVectors(em(), { chunk_ids: chunkIds });
              for (const id of chunkIds) kept.delete(id);
            } else if (op.kind === 'remove document') {
              const documentId = names.documents[op.document]!;
              await removeVectors(em(), { document_id: documentId });
              for (const [id, stored] of kept) if (stored.document_id === documentId) kept.delete(id);
            } else {
              const projectId = names.projects[op.project]!;
              await removeVectors(em(), { project_id: projectId });
              for (const [id, stored] of kept) if (stored.project_id === projectId) kept.delete(id);
            }
            // A search after each write: on PostgreSQL, the cached matrices must follow the stamps.
            await expectSameAnswers(kept, names, [search]);
          }
          await expectSameAnswers(kept, names, finalSearches);

          for (const projectId of names.projects) {
            const here = [...kept.values()].filter((stored) => stored.project_id === projectId);
            expect(await vectorCount(em(), projectId)).toBe(here.length);
          }
          for (const documentId of names.documents) {
            const here = [...kept.values()].filter((stored) => stored.document_id === documentId);
            expect((await chunksWithVectors(em(), documentId)).sort()).toEqual(here.map((s) => s.chunk_id).sort());
          }
          for (const model of MODELS) {
            const hashes = Array.from({ length: TEXTS }, (_, i) => `${names.chunks[0]}-text${i}`);
            const found = await vectorsOfTexts(em(), model, hashes);
            const ofModel = [...kept.values()].filter((stored) => stored.model === model && stored.text_hash);
            expect([...found.keys()].sort()).toEqual([...new Set(ofModel.map((s) => s.text_hash))].sort());
            for (const [hash, vector] of found) {
              expect(ofModel.filter((s) => s.text_hash === hash).map((s) => s.vector)).toContainEqual(vector);
            }
          }
          // The read for a copy, from just before this run's first chunk id to past its last one.
          const read: StoredVector[] = [];
          for (let after = `${names.chunks[0]!.slice(0, -3)}`; ;) {
            const page = await vectorsAfter(em(), after, 4);
            const ours = page.filter((stored) => names.chunks.includes(stored.chunk_id));
            read.push(...ours);
            if (ours.length < page.length || page.length === 0) break;
            after = page.at(-1)!.chunk_id;
          }
          expect(read).toEqual([...kept.values()].sort((a, b) => (a.chunk_id < b.chunk_id ? -1 : 1)));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/**
 * Vectors of coordinates 0 to `top`: 7 vectors only (top 1), so tied groups larger than vec0's slack, or 26 (top 2),
 * some pointing the same way (1, 1, 0 and 2, 2, 0), whose cosines differ in the last bits.
 */
const fewVectors = (count: number) =>
  fc.constantFrom(1, 2).chain((top) =>
    fc.array(
      fc
        .tuple(fc.nat(top), fc.nat(top), fc.nat(top))
        .filter((values) => values.some((value) => value !== 0))
        .map((values) => Float32Array.from(values)),
      { minLength: count, maxLength: count },
    ),
  );

describe('a search among many equal similarities', () => {
  it('ranks them as the brute force does, ties by chunk id, whatever order vec0 finds them in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20, max: 150 }),
        fc.array(fc.nat(), { minLength: 150, maxLength: 150 }),
        fewVectors(150),
        fc.array(fc.boolean(), { minLength: 150, maxLength: 150 }),
        vector(3),
        fc.nat(160),
        async (count, keys, vectors, ofOtherModel, searched, k) => {
          const projectId = uuidv7();
          // Stored in another order than their chunk ids': in the order of random keys.
          const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
          const entries = order.map((id, i) => ({
            chunk_id: `${projectId}-${String(id).padStart(3, '0')}`,
            document_id: projectId,
            project_id: projectId,
            vector: vectors[i]!,
            model: ofOtherModel[i] ? MODELS[1]! : MODELS[0]!,
          }));
          for (const model of MODELS) {
            await storeVectors(
              em(),
              model,
              entries.filter((e) => e.model === model),
            );
          }
          const ofModel = entries.filter((e) => e.model === MODELS[0]);
          const found = await nearestChunks(em(), {
            project_id: projectId,
            model: MODELS[0]!,
            vector: searched,
            k,
          });
          expect(found).toEqual(bruteForceNearest(searched, ofModel, k));
        },
      ),
      { numRuns: 60 },
    );
  });
});
