import type { SearchQuery, SearchTerm } from './search-query.js';

/** Must match the expression of the index (migration postgresql-0007-search). */
const WORDS_OF = (param: string) => `translate(${param}, '<>', '  ')`;

/**
 * The query as a PostgreSQL tsquery expression with bound parameters. A term's text goes to phraseto_tsquery,
 * which reads no operators; a prefix term is one word of letters and digits (search-query.ts), so `word:*` given
 * to to_tsquery cannot carry any either.
 */
export function tsquerySql(query: SearchQuery): { sql: string; params: string[] } {
  const params: string[] = [];
  const term = (t: SearchTerm) => {
    params.push(t.prefix ? `${t.text}:*` : t.text);
    return t.prefix ? `to_tsquery('simple', ?)` : `phraseto_tsquery('simple', ${WORDS_OF('?')})`;
  };
  const anyOf = (terms: SearchTerm[]) => `(${terms.map(term).join(' || ')})`;
  const all = query.all.map(anyOf).join(' && ');
  const sql = query.none.length === 0 ? `(${all})` : `((${all}) && !!${anyOf(query.none)})`;
  return { sql, params };
}
