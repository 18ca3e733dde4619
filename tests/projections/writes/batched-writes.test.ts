import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchedWrites } from '../../../projections/batched-writes.js';
import { append, increment } from '../../../projections/read-model-writes.js';
import { transactionWrites } from '../../../projections/transaction-writes.js';
import type { Database } from '../../../src/db/connect-database.js';
import { inTransaction } from '../../../src/db/in-transaction.js';
import { runSql } from '../../../src/db/run-sql.js';
import { uuidv7 } from '../../../src/ids.js';
import { openDatabase } from '../../../src/startup/open-database.js';
import { freshDatabase, type TestDatabase } from '../../support/test-database.js';
import { committedConversation, countRows, indexed } from './database.js';
import { conversationRow, searchRow } from './rows.js';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

/** Writes `rows` conversations with one statement each, committed, as earlier appends would have. */
async function committed(...ids: string[]): Promise<void> {
  await inTransaction(db.em(), async (tx) => {
    for (const id of ids) await transactionWrites(tx).insert('conversations', conversationRow(id));
  });
}

describe('the batched writes of a replay', () => {
  it('write nothing until flushed, then every inserted row in its final state', async () => {
    // 120 rows: two full multi-row statements and a remainder written row by row.
    const ids = Array.from({ length: 120 }, () => uuidv7());
    const before = await countRows(db.em(), 'conversations');
    await inTransaction(db.em(), async (tx) => {
      const batch = batchedWrites(tx);
      for (const id of ids) await batch.writes.insert('conversations', conversationRow(id));
      await batch.writes.update('conversations', ids[0]!, { title: 'Renamed', message_count: increment(4) });
      await batch.writes.update('conversations', ids[0]!, { title: append('!'), metadata: { b: true } });
      await batch.writes.update('conversations', ids[1]!, { title: null });
      await batch.writes.update('conversations', ids[1]!, { title: append('Started') });
      expect(await countRows(tx, 'conversations')).toBe(before);
      await batch.flush();
      expect(await countRows(tx, 'conversations')).toBe(before + 120);
    });
    expect(await committedConversation(db, ids[0]!)).toEqual({
      ...conversationRow(ids[0]!),
      title: 'Renamed!',
      message_count: 4,
      metadata: { b: true },
    });
    expect(await committedConversation(db, ids[1]!)).toMatchObject({ title: 'Started' });
    expect(await committedConversation(db, ids[119]!)).toEqual(conversationRow(ids[119]!));
  });

  it('read a row of the database the first time, and write back only the columns that changed', async () => {
    const id = uuidv7();
    await committed(id);
    await inTransaction(db.em(), async (tx) => {
      const batch = batchedWrites(tx);
      expect(await batch.writes.row('conversations', id, ['metadata', 'message_count'])).toMatchObject({
        metadata: { tag: 'kept', nested: { n: 1 } },
        message_count: 0,
      });
      await batch.writes.update('conversations', id, { message_count: increment() });
      // Written behind the batch's back: a column the batch did not change keeps what the database holds.
      await runSql(tx, 'update conversations set last_message_at = ? where id = ?', ['2025-02-01T00:00:00.000Z', id]);
      await batch.writes.update('conversations', id, { message_count: increment() });
      await batch.flush();
    });
    expect(await committedConversation(db, id)).toMatchObject({
      message_count: 2,
      last_message_at: '2025-02-01T00:00:00.000Z',
      metadata: { tag: 'kept', nested: { n: 1 } },
    });
  });

  it('fail an update or a read of a row neither in the batch nor in the database, and a second insert of one', async () => {
    const id = uuidv7();
    await inTransaction(db.em(), async (tx) => {
      const { writes } = batchedWrites(tx);
      await expect(Promise.resolve(writes.update('conversations', id, { title: 'x' }))).rejects.toThrow(
        `conversations has no row ${id} to update`,
      );
      await expect(Promise.resolve(writes.row('conversations', id, ['title']))).rejects.toThrow(
        `conversations has no row ${id}`,
      );
      await writes.insert('conversations', conversationRow(id));
      expect(() => writes.insert('conversations', conversationRow(id))).toThrow(
        `conversations already has a row ${id}`,
      );
    });
  });

  it('delete rows held in the batch and rows in the database, and search forgets the words of both', async () => {
    const [gone, kept] = [uuidv7(), uuidv7()];
    await inTransaction(db.em(), async (tx) => {
      const writes = transactionWrites(tx);
      await writes.insert('search_documents', searchRow(uuidv7(), gone, 'kingfisher committed'));
      await writes.insert('search_documents', searchRow(uuidv7(), kept, 'kingfisher kept'));
    });
    await inTransaction(db.em(), async (tx) => {
      const batch = batchedWrites(tx);
      await batch.writes.insert('search_documents', searchRow(uuidv7(), gone, 'kingfisher buffered'));
      await batch.writes.delete('search_documents', 'conversation_id', gone);
      await batch.flush();
    });
    expect(await indexed(db.em(), 'kingfisher')).toBe(1);
    expect(await countRows(db.em(), 'search_documents')).toBe(1);
  });
});
