import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../db/dialect.js';
import { runSql } from '../db/run-sql.js';

/**
 * The bytes of uploaded files, content-addressed: written with the DocumentAdded that names them, gone with the
 * last document that does (a purge). Like the log, never rebuilt.
 */
export async function keepFile(tx: EntityManager, sha256: string, bytes: Uint8Array): Promise<void> {
  const conflict = dialectOf(tx) === 'postgresql' ? 'on conflict (sha256) do nothing' : 'on conflict do nothing';
  await runSql(tx, `insert into document_files (sha256, size, bytes) values (?, ?, ?) ${conflict}`, [
    sha256,
    bytes.byteLength,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  ]);
}

/** The file's bytes, or null when no document keeps them. */
export async function fileBytes(em: EntityManager, sha256: string): Promise<Buffer | null> {
  const [row] = await runSql<{ bytes: Buffer | Uint8Array }>(em, 'select bytes from document_files where sha256 = ?', [
    sha256,
  ]);
  if (!row) return null;
  return Buffer.isBuffer(row.bytes) ? row.bytes : Buffer.from(row.bytes);
}

/** Erases the files of `sha256s` that no document names any more (run after the purged ones' rows went). */
export async function dropUnnamedFiles(tx: EntityManager, sha256s: readonly string[]): Promise<void> {
  for (const sha256 of new Set(sha256s)) {
    await runSql(
      tx,
      'delete from document_files where sha256 = ? and not exists (select 1 from documents where sha256 = ?)',
      [sha256, sha256],
    );
  }
}
