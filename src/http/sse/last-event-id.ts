import { Type } from 'typebox';
import type { AppContext } from '../app-state.js';
import { HttpProblem } from '../problem.js';

/** The SSE request header a reconnecting EventSource sends, for the docs of a route that reads it. */
export const lastEventIdHeader = (meaning: string) => ({
  'Last-Event-ID': { description: `The id of the last event received: ${meaning}`, schema: Type.String() },
});

/**
 * The Last-Event-ID header as the number of the last event the client received; undefined when it is absent or
 * empty (the route's query parameter, if any, says where to start then). Anything else than such a number is
 * refused: a client resuming from an id no stream sent would miss or repeat events without knowing it.
 */
export function lastEventId(ctx: AppContext): number | undefined {
  const raw = ctx.get('Last-Event-ID').trim();
  if (raw === '') return undefined;
  if (/^\d{1,15}$/.test(raw)) return Number(raw);
  const message = 'must be the id of an event this stream sent';
  throw new HttpProblem(422, 'validation', `header/Last-Event-ID: ${message}`, [
    { path: 'header/Last-Event-ID', message },
  ]);
}
