import Database from 'better-sqlite3';
import { load as loadSqliteVec } from 'sqlite-vec';
import { questionWords } from '../../src/knowledge/retrieval/full-text-candidates.js';
import { vectorTable } from '../../src/knowledge/vector-index/sqlite-tables.js';
import { sqliteFile } from './seed-log.js';

/** Candidates a query asks vec0 for: RETRIEVAL_CANDIDATES (30) and the slack sqlite-nearest.ts adds (16). */
const VECTOR_K = 46;
const CANDIDATES = 30;

/**
 * The SELECTs one knowledge query runs on SQLite (src/knowledge/retrieval/retrieve.ts), raw in this process with
 * prepared statements: the project's live documents, the vec0 KNN in its partition, FTS5's BM25 ranking, the fused
 * chunks' rows. What the query costs the database, without HTTP, the ORM, the embedding or any JavaScript around it.
 */
export function openRawRetrieval(databaseUrl: string, dimensions: number) {
  const db = new Database(sqliteFile(databaseUrl), { readonly: true });
  // As the server's connections read (mikro-orm.config.ts).
  db.pragma(`mmap_size = ${2 ** 30}`);
  loadSqliteVec(db);
  const documents = db.prepare(
    'select id from documents where project_id = ? and deleted_at is null and failure is null',
  );
  const knn = (count: number) =>
    db.prepare(`with knn as (
      select rowid, distance, embedding from ${vectorTable(dimensions)}
      where embedding match ? and k = ? and project_id = ? and model = ?
      and document_id in (${Array(count).fill('?').join(', ')})
    )
    select knn.distance, knn.embedding, c.chunk_id, c.document_id
    from knn join knowledge_vector_chunks c on c.seq = knn.rowid`);
  const fullText = db.prepare(`select c.id, bm25(knowledge_fts) as rank from knowledge_fts
    join knowledge_chunks c on c.seq = knowledge_fts.rowid join documents d on d.id = c.document_id
    where knowledge_fts match ? and c.project_id = ? and d.project_id = ? and d.deleted_at is null
    and d.failure is null order by rank, c.id limit ?`);
  const rows = (count: number) =>
    db.prepare(`select c.id, c.document_id, d.name, c.text, c.pages, c.heading, c.tokens
      from knowledge_chunks c join documents d on d.id = c.document_id
      where c.id in (${Array(count).fill('?').join(', ')})`);
  return {
    /** Milliseconds the four SELECTs took for this question and its vector, wall and CPU. */
    timeQuery(projectId: string, model: string, question: string, vector: Float32Array) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const ids = documents.pluck().all(projectId) as string[];
      const bytes = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
      const near = knn(ids.length).all(bytes, VECTOR_K, projectId, model, ...ids) as { chunk_id: string }[];
      const match = questionWords(question)
        .map((w) => `"${w.replaceAll('"', '""')}"`)
        .join(' OR ');
      const ranked = fullText.all(match, projectId, projectId, CANDIDATES) as { id: string }[];
      const fused = [...new Set([...near.slice(0, CANDIDATES).map((n) => n.chunk_id), ...ranked.map((r) => r.id)])];
      rows(fused.length).all(...fused);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
    },
    close: () => db.close(),
  };
}
