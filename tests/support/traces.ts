import { existsSync, readFileSync } from 'node:fs';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { withClient } from './test-database.js';

/** Where `text` is still found: SQLite, in the bytes of the database and WAL files; PostgreSQL, in any row. */
export async function tracesOf(databaseUrl: string, text: string): Promise<string[]> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'sqlite') {
    return [target.file, `${target.file}-wal`].filter(
      (file) => existsSync(file) && readFileSync(file).includes(Buffer.from(text, 'utf8')),
    );
  }
  return withClient(target.url, async (client) => {
    const tables = await client.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = 'public'",
    );
    const found: string[] = [];
    for (const { name } of tables.rows) {
      const hits = await client.query(`select 1 from "${name}" t where t::text like $1 limit 1`, [`%${text}%`]);
      if (hits.rowCount) found.push(name);
    }
    return found;
  });
}
