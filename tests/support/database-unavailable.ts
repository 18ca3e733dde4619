import { expect } from 'vitest';
import type { Reply } from './http-client.js';

/** A 503 problem saying the database is unavailable, with Retry-After and the request's id. */
export function expectDatabaseUnavailable(reply: Pick<Reply, 'status' | 'headers' | 'body'>): void {
  expect(reply.status).toBe(503);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(reply.body).toMatchObject({ type: '/problems/database-unavailable', status: 503 });
  expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
}
