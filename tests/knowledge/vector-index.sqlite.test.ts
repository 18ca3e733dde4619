import { existsSync, readFileSync } from 'node:fs';
import type { EntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect-database.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { withScrubbedDeletes } from '../../src/db/scrubbed-deletes.js';
import { uuidv7 } from '../../src/ids.js';
import { nearestChunks } from '../../src/knowledge/vector-index/nearest-chunks.js';
import { removeVectors } from '../../src/knowledge/vector-index/remove-vectors.js';
import { storeVectors } from '../../src/knowledge/vector-index/store-vectors.js';
import type { VectorEntry, VectorsToRemove } from '../../src/knowledge/vector-index/types.js';
import { vectorBytes } from '../../src/knowledge/vector-index/vectors.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { freshDatabaseOn, type TestDatabase } from '../support/test-database.js';
import { randomVector, seededRandom } from '../support/vectors.js';

/*
 * A removed vector leaves no bytes behind in the SQLite files: vec0 keeps vectors packed in chunk blobs of its shadow
 * tables, where a delete might only clear a validity bit. Each removed vector is a distinctive float pattern, looked
 * for in the database file and its WAL, whole and by quarters.
 */

const MODEL = 'nomic-embed-text';

let database: TestDatabase;
let db: Database;
let em: () => EntityManager;
let files: string[];

beforeAll(async () => {
  database = await freshDatabaseOn('sqlite');
  db = await openDatabase(database.url);
  em = db.em;
  const target = parseDatabaseUrl(database.url);
  if (target.kind !== 'sqlite') throw new Error('a SQLite database was asked for');
  files = [target.file, `${target.file}-wal`];
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

let patterns = 0;

/** A vector no other has: each value, in 3 to 4 (random ones are below 1), holds a counter and its position. */
function distinctive(dimensions: number): Float32Array {
  patterns += 1;
  return Float32Array.from({ length: dimensions }, (_, i) => 3 + (patterns * 256 + i) / 2 ** 21);
}

/** The files holding the vector's bytes, or a quarter of them; or a text's bytes. */
function tracesOf(vector: Float32Array | string): string[] {
  if (typeof vector === 'string') {
    return files.filter((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(vector)));
  }
  const bytes = vectorBytes(vector);
  const quarter = bytes.length / 4;
  const pieces = [bytes, ...[0, 1, 2, 3].map((i) => bytes.subarray(i * quarter, (i + 1) * quarter))];
  return files.filter((file) => existsSync(file) && pieces.some((piece) => readFileSync(file).includes(piece)));
}

const checkpoint = () => withScrubbedDeletes(em(), async () => undefined);

/** Some vectors of random values, in a new project, and one distinctive vector in its own document. */
async function projectWithSecret(dimensions: number) {
  const random = seededRandom(dimensions);
  const projectId = uuidv7();
  const documentId = uuidv7();
  const others: VectorEntry[] = Array.from({ length: 40 }, () => ({
    chunk_id: uuidv7(),
    project_id: projectId,
    document_id: documentId,
    vector: randomVector(random, dimensions),
  }));
  const secret: VectorEntry = {
    chunk_id: uuidv7(),
    project_id: projectId,
    document_id: uuidv7(),
    vector: distinctive(dimensions),
  };
  await storeVectors(em(), MODEL, [...others.slice(0, 20), secret, ...others.slice(20)]);
  await checkpoint();
  expect(tracesOf(secret.vector)).toEqual([files[0]]);
  expect(tracesOf(secret.document_id)).toEqual([files[0]]);
  return { projectId, others, secret };
}

const found = (projectId: string, vector: Float32Array) =>
  nearestChunks(em(), { project_id: projectId, model: MODEL, vector, k: 100 }).then((hits) =>
    hits.map((hit) => hit.chunk_id).sort(),
  );

describe('a removed vector in the SQLite file', () => {
  const removals: [string, (secret: VectorEntry) => VectorsToRemove][] = [
    ['its chunk id', (secret) => ({ chunk_ids: [secret.chunk_id] })],
    ['its document id', (secret) => ({ document_id: secret.document_id })],
  ];
  for (const [by, removal] of removals) {
    it(`leaves no bytes of it or its document id in the database file or WAL once removed by ${by} within withScrubbedDeletes`, async () => {
      const { projectId, others, secret } = await projectWithSecret(16);
      await withScrubbedDeletes(em(), () => removeVectors(em(), removal(secret)));
      expect(tracesOf(secret.vector)).toEqual([]);
      expect(tracesOf(secret.document_id)).toEqual([]);
      expect(await found(projectId, others[0]!.vector)).toEqual(others.map((entry) => entry.chunk_id).sort());
    });
  }

  it('leaves no bytes of a whole project removed within withScrubbedDeletes', async () => {
    const { projectId, secret } = await projectWithSecret(8);
    await withScrubbedDeletes(em(), () => removeVectors(em(), { project_id: projectId }));
    expect(tracesOf(secret.vector)).toEqual([]);
    expect(await found(projectId, secret.vector)).toEqual([]);
  });

  it('leaves no bytes of the vector a chunk had before it was stored again, in place or moved', async () => {
    const { projectId, others, secret } = await projectWithSecret(16);
    const inPlace = { ...secret, vector: distinctive(16) };
    await withScrubbedDeletes(em(), () => storeVectors(em(), MODEL, [inPlace]));
    expect(tracesOf(secret.vector)).toEqual([]);
    expect(tracesOf(inPlace.vector)).toEqual([files[0]]);

    const moved = { ...inPlace, project_id: uuidv7(), vector: distinctive(16) };
    await withScrubbedDeletes(em(), () => storeVectors(em(), MODEL, [moved]));
    expect(tracesOf(inPlace.vector)).toEqual([]);
    expect(await found(projectId, secret.vector)).toEqual(others.map((entry) => entry.chunk_id).sort());
    expect(await found(moved.project_id, secret.vector)).toEqual([moved.chunk_id]);
  });
});
