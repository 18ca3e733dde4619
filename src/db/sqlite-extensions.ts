import { load as loadSqliteVec } from 'sqlite-vec';

type LoadsExtensions = { loadExtension: (file: string, entrypoint?: string) => unknown };

/**
 * Loads what the schema needs on a new SQLite connection: sqlite-vec, whose vec0 virtual tables hold the chunk
 * vectors (src/knowledge/vector-index). Every connection that may read or write them must have it loaded, or any
 * statement on those tables fails with "no such module: vec0". The compiled extension comes from the npm package of
 * this platform (sqlite-vec-linux-x64 and its siblings), found beside the sqlite-vec package at run time.
 */
export function loadSqliteExtensions(connection: LoadsExtensions): void {
  loadSqliteVec(connection as Parameters<typeof loadSqliteVec>[0]);
}
