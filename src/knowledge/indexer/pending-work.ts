import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import type { TextPage, TextSection } from '../../domain/document/document.events.js';

/** Readable documents whose text waits to be cut, oldest first. */
export async function documentsToCut(em: EntityManager, limit: number): Promise<string[]> {
  const rows = await runSql<{ id: string }>(
    em,
    `select d.id from documents d where d.failure is null and d.chunked = 0
     and exists (select 1 from document_texts t where t.id = d.id) order by d.created_at, d.id limit ?`,
    [limit],
  );
  return rows.map((row) => row.id);
}

/** Cut documents whose tokenizer is not the one chunks are counted with now: they are cut again. */
export async function documentsCutWithOtherTokenizer(em: EntityManager, tokenizer: string, limit: number) {
  const rows = await runSql<{ id: string }>(
    em,
    `select id from documents where failure is null and chunked = 1 and tokenizer <> ? order by created_at, id limit ?`,
    [tokenizer, limit],
  );
  return rows.map((row) => row.id);
}

/** Cut documents with chunks that have no vector of `model` yet. */
export async function documentsToEmbed(em: EntityManager, model: string, limit: number): Promise<string[]> {
  const rows = await runSql<{ id: string }>(
    em,
    `select id from documents where failure is null and chunked = 1 and chunk_count > 0
     and (embedding_model is null or embedding_model <> ? or embedded_count < chunk_count)
     order by created_at, id limit ?`,
    [model, limit],
  );
  return rows.map((row) => row.id);
}

export type TextToCut = { text: string; pages: TextPage[] | null; sections: TextSection[] };

export async function textOf(em: EntityManager, documentId: string): Promise<TextToCut | null> {
  const [row] = await runSql<{ text: string; pages: unknown; sections: unknown }>(
    em,
    'select text, pages, sections from document_texts where id = ?',
    [documentId],
  );
  if (!row) return null;
  const parse = <T>(value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
  return { text: row.text, pages: parse<TextPage[] | null>(row.pages), sections: parse<TextSection[]>(row.sections) };
}

/**
 * A document's chunks without a vector of `model`, in text order, after position `afterOrd`: a run of batches
 * goes on from where the last one ended instead of scanning the chunks already embedded again each time.
 */
export async function chunksToEmbed(
  em: EntityManager,
  documentId: string,
  model: string,
  limit: number,
  afterOrd = -1,
): Promise<{ id: string; text: string; ord: number }[]> {
  return runSql(
    em,
    `select id, text, ord from knowledge_chunks
     where document_id = ? and ord > ? and (embedded_model is null or embedded_model <> ?)
     order by ord limit ?`,
    [documentId, afterOrd, model, limit],
  );
}
