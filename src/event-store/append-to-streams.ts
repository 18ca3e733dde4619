import { inTransaction } from '../db/in-transaction.js';
import { asConcurrencyError, rowsToAppend, type AppendRequest, type EventStore } from './append-to-stream.js';
import { insertEvents, type NewEventRow } from './insert-events.js';
import type { StoredEvent } from './stored-event.js';

/**
 * Events per INSERT: a bound on the statement's parameters (8 per event; SQLite allows 32,766). A constant count keeps
 * the statement's text, and so its preparation, the same; the rest go one per statement, as single appends do.
 */
const EVENTS_PER_INSERT = 100;

/**
 * Appends to several streams in one transaction, projected in it: all of them or none. For what is written at once
 * and must not be half there (an import of many conversations); single commands use appendToStream.
 */
export async function appendToStreams(store: EventStore, requests: AppendRequest[]): Promise<StoredEvent[]> {
  const createdAt = store.now().toISOString();
  let stored: StoredEvent[];
  try {
    stored = await inTransaction(store.em, async (tx) => {
      const rows: NewEventRow[] = [];
      for (const request of requests) {
        await request.alongside?.(tx);
        rows.push(...(await rowsToAppend(tx, request, createdAt)));
      }
      const appended: StoredEvent[] = [];
      let start = 0;
      for (; start + EVENTS_PER_INSERT <= rows.length; start += EVENTS_PER_INSERT) {
        for (const event of await insertEvents(tx, rows.slice(start, start + EVENTS_PER_INSERT))) appended.push(event);
      }
      for (const row of rows.slice(start)) appended.push(...(await insertEvents(tx, [row])));
      await store.projectInline(tx, appended);
      return appended;
    });
  } catch (error) {
    const first = requests[0];
    throw first ? asConcurrencyError(store, error, first.streamId, first.expected) : error;
  }
  if (stored.length > 0) store.bus.emit('committed', stored);
  return stored;
}
