import { describe, expect, it } from 'vitest';
import { projectInMemory, memoryWrites } from '../../../projections/memory-writes.js';
import { resourceProjectors } from '../../../projections/projectors.js';
import { append, increment } from '../../../projections/read-model-writes.js';
import type { StoredEvent } from '../../../src/event-store/stored-event.js';
import { conversationRow, searchRow } from './rows.js';

describe('the in-memory writes of as_of', () => {
  it('hold inserted rows by table and id, and read columns of them', async () => {
    const { writes, rows } = memoryWrites();
    await writes.insert('conversations', conversationRow('c1'));
    await writes.insert('conversations', conversationRow('c2'));
    expect(await writes.row('conversations', 'c1', ['title', 'metadata'])).toMatchObject({
      title: 'First title',
      metadata: { tag: 'kept', nested: { n: 1 } },
    });
    expect(rows.row('conversations', 'c2')).toEqual(conversationRow('c2'));
    expect(rows.rows('conversations').map((row) => row.id)).toEqual(['c1', 'c2']);
    expect(rows.row('messages', 'c1')).toBeUndefined();
  });

  it('apply values and column operations to the current row', async () => {
    const { writes, rows } = memoryWrites();
    await writes.insert('conversations', conversationRow('c1'));
    await writes.update('conversations', 'c1', { title: 'Second', message_count: increment() });
    await writes.update('conversations', 'c1', { title: append(' title'), message_count: increment(2) });
    expect(rows.row('conversations', 'c1')).toMatchObject({ title: 'Second title', message_count: 3 });
  });

  it('append to a null text column as to an empty one (a reasoning starts null)', async () => {
    const { writes, rows } = memoryWrites();
    await writes.insert('conversations', { ...conversationRow('c1'), title: null });
    await writes.update('conversations', 'c1', { title: append('Started') });
    expect(rows.row('conversations', 'c1')).toMatchObject({ title: 'Started' });
  });

  it('refuse a second row with the same id, and an update or a read of a missing row', async () => {
    const { writes } = memoryWrites();
    await writes.insert('conversations', conversationRow('c1'));
    expect(() => writes.insert('conversations', conversationRow('c1'))).toThrow('conversations already has a row c1');
    expect(() => writes.update('conversations', 'c9', { title: 'x' })).toThrow('conversations has no row c9');
    expect(() => writes.row('conversations', 'c9', ['title'])).toThrow('conversations has no row c9');
  });

  it('delete the rows whose column holds the value, and only those', async () => {
    const { writes, rows } = memoryWrites();
    await writes.insert('search_documents', searchRow('m1', 'c1', 'one'));
    await writes.insert('search_documents', searchRow('m2', 'c1', 'two'));
    await writes.insert('search_documents', searchRow('m3', 'c2', 'three'));
    await writes.delete('search_documents', 'conversation_id', 'c1');
    expect(rows.rows('search_documents').map((row) => row.id)).toEqual(['m3']);
  });

  it('keep a copy of an inserted row: changing the object afterwards changes nothing held', async () => {
    const { writes, rows } = memoryWrites();
    const row = conversationRow('c1');
    await writes.insert('conversations', row);
    row.title = 'changed outside';
    expect(rows.row('conversations', 'c1')?.title).toBe('First title');
  });

  it('are what projectInMemory runs the projectors on, folding a stream with no database', async () => {
    const event = (stream_version: number, at: string, rest: object) =>
      ({
        position: stream_version,
        stream_id: 'c1',
        stream_type: 'conversation',
        stream_version,
        metadata: { request_id: 't' },
        schema_version: 1,
        created_at: at,
        ...rest,
      }) as StoredEvent;
    const rows = await projectInMemory(resourceProjectors, [
      event(1, '2025-01-15T10:00:01.000Z', {
        type: 'ConversationCreated',
        data: { conversation_id: 'c1', project_id: null, title: 'T', metadata: {} },
      }),
      event(2, '2025-01-15T10:00:02.000Z', {
        type: 'UserMessagePosted',
        data: { conversation_id: 'c1', message_id: 'm1', parent_message_id: null, content: 'hi', metadata: {} },
      }),
      event(3, '2025-01-15T10:00:03.000Z', {
        type: 'ConversationRenamed',
        data: { conversation_id: 'c1', title: 'U' },
      }),
    ]);
    expect(rows.row('conversations', 'c1')).toMatchObject({ title: 'U', message_count: 1, version: 3 });
    expect(rows.rows('messages')).toMatchObject([{ id: 'm1', content: 'hi', depth: 0, anchor_id: null }]);
  });
});
