import { expect } from 'vitest';
import type { HttpClient, Reply } from './http-client.js';

/** What the API shows of the log and of the read models: the whole state a failed command must leave unchanged. */
export async function visibleState(api: HttpClient) {
  const events = await api.get('/api/events?after=0&limit=1000');
  const projects = await api.get('/api/projects?include_deleted=true&limit=100');
  const conversations = await api.get('/api/conversations?include_deleted=true&limit=100');
  expect([events.status, projects.status, conversations.status]).toEqual([200, 200, 200]);
  const messages: Record<string, unknown> = {};
  for (const { id } of conversations.body.items as { id: string }[]) {
    const reply = await api.get(`/api/conversations/${id}/messages?limit=100`);
    expect(reply.status).toBe(200);
    messages[id] = reply.body.items;
  }
  return {
    events: events.body.items as { type: string; position: number }[],
    projects: projects.body.items as { id: string; name: string }[],
    conversations: conversations.body.items as { id: string }[],
    messages,
  };
}

/** A 503 problem saying the database is unavailable, with Retry-After and the request's id. */
export function expectDatabaseUnavailable(reply: Pick<Reply, 'status' | 'headers' | 'body'>): void {
  expect(reply.status).toBe(503);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(reply.body).toMatchObject({ type: '/problems/database-unavailable', status: 503 });
  expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
}
