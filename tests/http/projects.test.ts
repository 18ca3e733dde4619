import { beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;

beforeAll(async () => {
  const server = await startTestServer();
  api = httpClient(server.url);
});

describe('POST /api/projects', () => {
  it('creates a project and answers 201 with Location, weak ETag and the read model', async () => {
    const reply = await api.post('/api/projects', { name: 'Research', description: 'Papers', metadata: { color: 'blue' } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/projects/${reply.body.id}`);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toMatchObject({ name: 'Research', description: 'Papers', metadata: { color: 'blue' }, deleted_at: null, conversation_count: 0, message_count: 0 });
    const read = await api.get(reply.headers.get('location')!);
    expect(read.body).toEqual(reply.body);
  });
});
