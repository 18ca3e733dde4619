import type { SearchQuery, SearchTerm } from './search-query.js';

/**
 * The query as an FTS5 MATCH expression. Every term is a string in double quotes, inside which FTS5 sees no
 * operator and its tokenizer splits the words; only the operators written here are FTS5's.
 */
export function fts5Match(query: SearchQuery): string {
  const all = query.all.map((clause) => anyOf(clause)).join(' AND ');
  return query.none.length === 0 ? all : `(${all}) NOT ${anyOf(query.none)}`;
}

const anyOf = (terms: SearchTerm[]) =>
  terms.length === 1 ? quoted(terms[0]!) : `(${terms.map((term) => quoted(term)).join(' OR ')})`;

const quoted = (term: SearchTerm) => `"${term.text.replaceAll('"', '""')}"${term.prefix ? ' *' : ''}`;
