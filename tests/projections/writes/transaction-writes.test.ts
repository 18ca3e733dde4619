import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { append, increment } from '../../../projections/read-model-writes.js';
import { transactionWrites } from '../../../projections/transaction-writes.js';
import type { Database } from '../../../src/db/connect-database.js';
import { inTransaction } from '../../../src/db/in-transaction.js';
import { uuidv7 } from '../../../src/ids.js';
import { openDatabase } from '../../../src/startup/open-database.js';
import { freshDatabase, type TestDatabase } from '../../support/test-database.js';
import { committedConversation, indexed } from './database.js';
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

describe('the writes of an append, on its transaction', () => {
  it('insert a row that reads back in the transaction, JSON parsed, and is there once it commits', async () => {
    const id = uuidv7();
    const read = await inTransaction(db.em(), async (tx) => {
      const writes = transactionWrites(tx);
      await writes.insert('conversations', conversationRow(id));
      return writes.row('conversations', id, ['title', 'metadata', 'message_count']);
    });
    expect(read).toEqual({ title: 'First title', metadata: { tag: 'kept', nested: { n: 1 } }, message_count: 0 });
    expect(await committedConversation(db, id)).toEqual(conversationRow(id));
  });

  it('update with values and column operations on what the row holds', async () => {
    const id = uuidv7();
    await inTransaction(db.em(), async (tx) => {
      const writes = transactionWrites(tx);
      await writes.insert('conversations', conversationRow(id));
      await writes.update('conversations', id, { title: 'Second', message_count: increment(), metadata: { a: [1] } });
      await writes.update('conversations', id, { title: append(' title'), message_count: increment(2) });
    });
    expect(await committedConversation(db, id)).toMatchObject({
      title: 'Second title',
      message_count: 3,
      metadata: { a: [1] },
    });
  });

  it('append to a null text column as to an empty one (a reasoning starts null)', async () => {
    const id = uuidv7();
    await inTransaction(db.em(), async (tx) => {
      const writes = transactionWrites(tx);
      await writes.insert('conversations', { ...conversationRow(id), title: null });
      await writes.update('conversations', id, { title: append('Started') });
    });
    expect(await committedConversation(db, id)).toMatchObject({ title: 'Started' });
  });

  it('fail an update or a read of a missing row, and the transaction rolls back what it wrote', async () => {
    const id = uuidv7();
    await expect(
      inTransaction(db.em(), async (tx) => {
        const writes = transactionWrites(tx);
        await writes.insert('conversations', conversationRow(id));
        await writes.update('conversations', uuidv7(), { title: 'x' });
      }),
    ).rejects.toThrow(/conversations has no row .* to update/);
    await expect(
      inTransaction(db.em(), (tx) => Promise.resolve(transactionWrites(tx).row('conversations', id, ['title']))),
    ).rejects.toThrow(`conversations has no row ${id}`);
    expect(await committedConversation(db, id)).toBeNull();
  });

  it('fail a second row with the same id', async () => {
    const id = uuidv7();
    await inTransaction(db.em(), (tx) =>
      Promise.resolve(transactionWrites(tx).insert('conversations', conversationRow(id))),
    );
    await expect(
      inTransaction(db.em(), (tx) =>
        Promise.resolve(transactionWrites(tx).insert('conversations', conversationRow(id))),
      ),
    ).rejects.toThrow();
  });

  it('delete search documents by conversation, and the full-text index forgets their words', async () => {
    const [gone, kept] = [uuidv7(), uuidv7()];
    await inTransaction(db.em(), async (tx) => {
      const writes = transactionWrites(tx);
      await writes.insert('search_documents', searchRow(uuidv7(), gone, 'zebrafinch one'));
      await writes.insert('search_documents', searchRow(uuidv7(), gone, 'zebrafinch two'));
      await writes.insert('search_documents', searchRow(uuidv7(), kept, 'zebrafinch three'));
    });
    expect(await indexed(db.em(), 'zebrafinch')).toBe(3);
    await inTransaction(db.em(), (tx) =>
      Promise.resolve(transactionWrites(tx).delete('search_documents', 'conversation_id', gone)),
    );
    expect(await indexed(db.em(), 'zebrafinch')).toBe(1);
  });
});
