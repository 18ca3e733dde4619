import type { ServerResponse } from 'node:http';
import { readCommitted } from '../../event-store/read-committed.js';
import type { StoredEvent } from '../../event-store/stored-event.js';
import type { EventMatcher } from '../../queries/event-filter.js';
import { toLoggedEvent } from '../../queries/event.queries.js';
import type { AppContext } from '../app-state.js';
import { openSse, type SseWriter } from '../sse/sse-writer.js';

/** Events read per catch-up query; each batch is sent before the next is read, at the pace the client reads. */
const CATCH_UP_BATCH = 500;

/**
 * Sends the log's events that `matches` lets through over SSE, each with its position as its id: those after
 * `after` first, read at the client's pace, then the rest live through the log feed (services.feed), which goes on
 * from the position the catch-up reached. Ends when the client leaves, when the shutdown begins, or when reading
 * fails (the client resumes from its Last-Event-ID).
 */
export async function streamLog(ctx: AppContext, after: number, matches: EventMatcher): Promise<void> {
  const { config, drain, feed } = ctx.state.services;
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
  const deliver = async (events: StoredEvent[]) => {
    for (const event of events) {
      if (writer.closed) return;
      if (await matches(event)) {
        writer.send({ id: String(event.position), data: JSON.stringify(toLoggedEvent(event)) });
      }
    }
    await drained(ctx.res, writer);
  };
  let unfollow = () => {};
  try {
    const from = await catchUp(ctx, after, deliver, writer);
    if (writer.closed) return;
    let delivering = Promise.resolve();
    unfollow = await feed.follow(from, (events) => {
      delivering = delivering.then(() => deliver(events)).catch(fail);
    });
    await ended(writer);
  } catch (error) {
    fail(error);
  } finally {
    unfollow();
    drain.signal.removeEventListener('abort', shutDown);
  }
}

/** Sends what the log holds after `after`, batch by batch; returns the position it reached. */
async function catchUp(
  ctx: AppContext,
  after: number,
  deliver: (events: StoredEvent[]) => Promise<void>,
  writer: SseWriter,
): Promise<number> {
  let position = after;
  for (;;) {
    const batch = await readCommitted(ctx.state.em, position, CATCH_UP_BATCH);
    if (batch.length > 0) {
      await deliver(batch);
      position = batch.at(-1)!.position;
    }
    // A short batch is the end of the log for now (or, on PostgreSQL, a gap still settling): the feed goes on.
    if (batch.length < CATCH_UP_BATCH || writer.closed) return position;
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
