import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import type { AnswerSource } from '../domain/conversation/conversation.events.js';
import type { JsonObject } from '../domain/shared/decider.js';

/** A source an answer cites, and whether its document was deleted (or purged) since. */
export type CitedSource = AnswerSource & { document_deleted: boolean };

/**
 * The sources in an answer's `metadata.sources` (AnswerSourcesFound), each with whether its document is still there.
 * Metadata can also come from an import, so only entries of a source's shape are taken.
 */
export async function citedSources(em: EntityManager, metadata: JsonObject): Promise<CitedSource[]> {
  const sources = Array.isArray(metadata.sources) ? metadata.sources.flatMap(asSource) : [];
  if (sources.length === 0) return [];
  const ids = [...new Set(sources.map((source) => source.document_id))];
  const present = await runSql<{ id: string }>(
    em,
    `select id from documents where deleted_at is null and id in (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  const shown = new Set(present.map((row) => row.id));
  return sources.map((source) => ({ ...source, document_deleted: !shown.has(source.document_id) }));
}

function asSource(value: unknown): AnswerSource[] {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Record<string, unknown>;
  const texts = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  const pages = Array.isArray(v.pages) && v.pages.every((page) => Number.isInteger(page));
  const ok =
    Number.isInteger(v.n) &&
    typeof v.document_id === 'string' &&
    typeof v.document_name === 'string' &&
    typeof v.chunk_id === 'string' &&
    pages &&
    texts(v.heading) &&
    typeof v.score === 'number' &&
    typeof v.snippet === 'string';
  if (!ok) return [];
  const { n, document_id, document_name, chunk_id, heading, score, snippet } = v as AnswerSource;
  return [{ n, document_id, document_name, chunk_id, pages: v.pages as number[], heading, score, snippet }];
}
