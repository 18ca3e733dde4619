export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgresql'; url: string };

export const defaultDatabaseUrl = 'sqlite:./data/gpt_oss.db';

/**
 * Accepts `sqlite:<path>` (also the SQLAlchemy spelling `sqlite:///<path>`) and
 * `postgresql://` / `postgres://` URLs.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const sqlite = /^sqlite:(?:\/\/\/?)?(.+)$/.exec(url);
  if (sqlite?.[1]) return { kind: 'sqlite', file: sqlite[1] };
  if (/^postgres(?:ql)?:\/\/.+/.test(url)) return { kind: 'postgresql', url };
  throw new Error(`DATABASE_URL must start with sqlite: or postgresql://, got "${url}"`);
}
