import type { ServerResponse } from 'node:http';
import { readAll } from '../../event-store/read-all.js';
import type { StoredEvent } from '../../event-store/stored-event.js';
import type { EventMatcher } from '../../queries/event-filter.js';
import { toLoggedEvent } from '../../queries/event.queries.js';
import type { AppContext } from '../app-state.js';
import { openSse, type SseWriter } from '../sse/sse-writer.js';
import { sharedTailOf } from './shared-tail.js';

/** Events read per catch-up query; each batch is sent before the next is read, at the pace the client reads. */
const CATCH_UP_BATCH = 500;

/** The SSE data of an event, made once however many streams send it (the shared tail hands them all one object). */
const dataOf = (() => {
  const made = new WeakMap<StoredEvent, string>();
  return (event: StoredEvent) => {
    let data = made.get(event);
    if (data === undefined) made.set(event, (data = JSON.stringify(toLoggedEvent(event))));
    return data;
  };
})();

/**
 * Sends the log's events that `matches` lets through over SSE, each with its position as its id, from `after` on:
 * it joins the process's shared tail of the log (which the log feed, services.feed, drives) and holds what the tail
 * brings while it reads the log from `after` up to where the tail stood, at the client's pace; then it sends what
 * the tail brought and brings. Each event is sent once, in log order, none missed at the seam. Ends when the client
 * leaves, when the shutdown begins, or when reading fails (the client resumes from its Last-Event-ID).
 */
export async function streamLog(ctx: AppContext, after: number, matches: EventMatcher): Promise<void> {
  const { config, db, drain, feed } = ctx.state.services;
  ctx.respond = false;
  const writer = openSse(ctx.res, { pingMs: config.eventsHeartbeatMs });
  const shutDown = () => {
    writer.comment('the server is shutting down; reconnect with Last-Event-ID');
    writer.close();
  };
  drain.signal.addEventListener('abort', shutDown);
  if (drain.signal.aborted) shutDown();
  const fail = (error: unknown) => {
    if (!writer.closed) ctx.state.log.warn({ err: error }, 'the event feed failed; it ends, the client resumes');
    writer.close();
  };
  let last = after;
  const deliver = async (events: StoredEvent[]) => {
    for (const event of events) {
      if (writer.closed) return;
      if (event.position <= last) continue;
      last = event.position;
      if (await matches(event)) writer.send({ id: String(event.position), data: dataOf(event) });
    }
    await drained(ctx.res, writer);
  };
  let delivering = Promise.resolve();
  const enqueue = (events: StoredEvent[]) => {
    delivering = delivering.then(() => deliver(events)).catch(fail);
  };
  let held: StoredEvent[][] | undefined = [];
  let detach = () => {};
  try {
    const tail = await sharedTailOf(feed, db.em).attach((events) => (held ? held.push(events) : enqueue(events)));
    detach = tail.detach;
    await catchUp(ctx, after, tail.position, deliver, writer);
    for (const events of held) enqueue(events);
    held = undefined;
    await ended(writer);
  } catch (error) {
    fail(error);
  } finally {
    detach();
    drain.signal.removeEventListener('abort', shutDown);
  }
}

/**
 * Sends the log from `after` up to `upTo`, batch by batch. Nothing can still appear at or below `upTo` (the tail
 * read up to there): a plain read of that range is complete.
 */
async function catchUp(
  ctx: AppContext,
  after: number,
  upTo: number,
  deliver: (events: StoredEvent[]) => Promise<void>,
  writer: SseWriter,
): Promise<void> {
  for (let position = after; position < upTo && !writer.closed;) {
    const batch = await readAll(ctx.state.em, position, CATCH_UP_BATCH, upTo);
    if (batch.length === 0) return;
    await deliver(batch);
    position = batch.at(-1)!.position;
  }
}

/** Waits while the socket's buffer is full, so a slow client does not make the server hold the whole log. */
async function drained(response: ServerResponse, writer: SseWriter): Promise<void> {
  // The writer flushes in a microtask queued by the first write of this batch, which runs before this one.
  await Promise.resolve();
  if (!response.writableNeedDrain || writer.closed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      writer.signal.removeEventListener('abort', done);
      resolve();
    };
    response.on('drain', done);
    writer.signal.addEventListener('abort', done);
  });
}

const ended = (writer: SseWriter) =>
  new Promise<void>((resolve) => {
    if (writer.closed) return resolve();
    writer.signal.addEventListener('abort', () => resolve(), { once: true });
  });
