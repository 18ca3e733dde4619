import type { CommandOptions } from '../commands/handle-command.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import type { AppContext } from './app-state.js';
import { HttpProblem } from './problem.js';

/** The event store as one request sees it: its own entity manager, the app's bus and clock. */
export function eventStore(ctx: AppContext): EventStore {
  return ctx.state.services.eventStoreOn(ctx.state.em);
}

export function commandOptions(ctx: AppContext): CommandOptions {
  const requestId = ctx.state.requestId;
  return {
    expectedVersion: expectedVersionFrom(ctx.state.ifMatch),
    stateCache: ctx.state.services.stateCache,
    metadata: {
      request_id: requestId,
      correlation_id: ctx.get('X-Correlation-Id') || requestId,
      causation_id: requestId,
    },
  };
}

/** Weak ETags carry the stream version: W/"7". */
export const etag = (version: number) => `W/"${version}"`;

function expectedVersionFrom(header: string): number | undefined {
  if (header === '' || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match)
    throw new HttpProblem(412, 'precondition-failed', 'If-Match must be an ETag this API returned, like W/"3"');
  return Number(match[1]);
}

export function answer(ctx: AppContext, status: number, body: unknown, version?: number): void {
  ctx.status = status;
  if (version !== undefined) ctx.set('ETag', etag(version));
  ctx.body = body;
}
