import { beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  server = await startTestServer({ maxMessageLength: 50 });
  api = httpClient(server.url);
});

type Resource = { path: string; create: () => Promise<string> };

const resources: Record<'project' | 'conversation', Resource> = {
  project: {
    path: '/api/projects',
    create: async () => (await api.post('/api/projects', { name: 'Settings' })).body.id as string,
  },
  conversation: {
    path: '/api/conversations',
    create: async () => (await api.post('/api/conversations', {})).body.id as string,
  },
};

const eventsOf = async (id: string) => {
  const log = await api.get('/api/events?limit=1000');
  return (log.body.items as { stream_id: string; type: string; data: Record<string, unknown> }[]).filter(
    (e) => e.stream_id === id,
  );
};

/** A value outside each setting's range, or of the wrong kind, with the field the 422 must name. */
const refused: [string, unknown][] = [
  ['temperature', 2.5],
  ['temperature', -0.1],
  ['top_p', 1.5],
  ['min_p', -1],
  ['top_k', 1001],
  ['top_k', 2.5],
  ['repeat_penalty', 3],
  ['presence_penalty', -2.5],
  ['frequency_penalty', 2.1],
  ['seed', -2],
  ['seed', 4_294_967_296],
  ['max_tokens', 0],
  ['max_tokens', 131073],
  ['stop', ['1', '2', '3', '4', '5', '6', '7', '8', '9']],
  ['stop', ['']],
  ['stop', ['x'.repeat(101)]],
  ['reasoning_effort', 'extreme'],
  ['knowledge', 'no'],
  ['model', ''],
  ['model', 'm'.repeat(201)],
  ['system_prompt', 'x'.repeat(51)],
  ['temperature', '0.7'],
  ['min_q', 0.1],
];

for (const [noun, resource] of Object.entries(resources)) {
  describe(`settings of a ${noun}`, () => {
    it('are {} when none is set, in the create answer, the GET and the listing', async () => {
      const id = await resource.create();
      expect((await api.get(`${resource.path}/${id}`)).body.settings).toStrictEqual({});
      const listed = (await api.get(`${resource.path}?limit=100`)).body.items as { id: string; settings: object }[];
      expect(listed.find((item) => item.id === id)?.settings).toStrictEqual({});
    });

    it('PATCH sets fields and answers with only the fields set; a later PATCH leaves absent fields as they are', async () => {
      const id = await resource.create();
      const first = await api.patch(`${resource.path}/${id}`, {
        settings: { temperature: 0.7, top_k: 40, reasoning_effort: 'high', stop: ['###'], seed: -1 },
      });
      expect(first.status, first.text).toBe(200);
      const second = await api.patch(`${resource.path}/${id}`, {
        settings: { min_p: 0.05, system_prompt: 'Be brief.' },
      });
      expect(second.body.settings).toStrictEqual({
        temperature: 0.7,
        top_k: 40,
        reasoning_effort: 'high',
        stop: ['###'],
        seed: -1,
        min_p: 0.05,
        system_prompt: 'Be brief.',
      });
      expect((await api.get(`${resource.path}/${id}`)).body.settings).toStrictEqual(second.body.settings);
    });

    it('null clears one field; the event carries the changed fields with the clear as null', async () => {
      const id = await resource.create();
      await api.patch(`${resource.path}/${id}`, { settings: { temperature: 0.7, top_k: 40 } });
      const cleared = await api.patch(`${resource.path}/${id}`, { settings: { top_k: null, seed: null } });
      expect(cleared.status, cleared.text).toBe(200);
      expect(cleared.body.settings).toStrictEqual({ temperature: 0.7 });
      const changes = (await eventsOf(id)).filter((e) => e.type.endsWith('SettingsChanged')).map((e) => e.data);
      expect(changes.map((data) => data.settings)).toStrictEqual([{ temperature: 0.7, top_k: 40 }, { top_k: null }]);
    });

    it('a PATCH that changes no setting appends nothing and keeps the ETag', async () => {
      const id = await resource.create();
      const set = await api.patch(`${resource.path}/${id}`, { settings: { temperature: 0.7 } });
      const before = await eventsOf(id);
      const again = await api.patch(`${resource.path}/${id}`, { settings: { temperature: 0.7, max_tokens: null } });
      expect(again.status).toBe(200);
      expect(again.headers.get('etag')).toBe(set.headers.get('etag'));
      expect(await eventsOf(id)).toHaveLength(before.length);
    });

    it('honours If-Match: the current ETag applies the change, a stale one is 412 and changes nothing', async () => {
      const id = await resource.create();
      const etag = (await api.get(`${resource.path}/${id}`)).headers.get('etag')!;
      const applied = await api.patch(`${resource.path}/${id}`, { settings: { seed: 1 } }, { 'If-Match': etag });
      expect(applied.status, applied.text).toBe(200);
      const stale = await api.patch(`${resource.path}/${id}`, { settings: { seed: 2 } }, { 'If-Match': etag });
      expect(stale.status).toBe(412);
      expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await api.get(`${resource.path}/${id}`)).body.settings).toStrictEqual({ seed: 1 });
    });

    it('a create may set settings', async () => {
      const body = noun === 'project' ? { name: 'With settings' } : {};
      const created = await api.post(resource.path, { ...body, settings: { top_p: 0.9, model: 'gpt-oss-20b' } });
      expect(created.status, created.text).toBe(201);
      expect(created.body.settings).toStrictEqual({ top_p: 0.9, model: 'gpt-oss-20b' });
    });

    it.each(refused)('a PATCH of %s = %j is 422 naming the field and changes nothing', async (field, value) => {
      const id = await resource.create();
      await api.patch(`${resource.path}/${id}`, { settings: { temperature: 1 } });
      const before = await api.get(`${resource.path}/${id}`);
      const reply = await api.patch(`${resource.path}/${id}`, { settings: { seed: 5, [field]: value } });
      expect(reply.status).toBe(422);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const paths = (reply.body.errors as { path: string }[]).map((e) => e.path);
      expect(
        paths.some((path) => path.startsWith(`body/settings/${field}`)),
        JSON.stringify(reply.body),
      ).toBe(true);
      const after = await api.get(`${resource.path}/${id}`);
      expect(after.body.settings).toStrictEqual({ temperature: 1 });
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    });

    it('a create with an out-of-range setting is 422 naming it and creates nothing', async () => {
      const body = noun === 'project' ? { name: 'Refused' } : {};
      const before = (await api.get('/api/events?limit=1000')).body.items.length as number;
      const reply = await api.post(resource.path, { ...body, settings: { top_p: 2 } });
      expect(reply.status).toBe(422);
      expect(reply.body.errors).toContainEqual({ path: 'body/settings/top_p', message: expect.any(String) });
      expect((await api.get('/api/events?limit=1000')).body.items).toHaveLength(before);
    });
  });
}
