import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { DEFAULT_ROUTER, startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Json = Record<string, any>;

const CHAT = 'POST /v1/chat/completions';
const SAMPLING = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'max_tokens',
  'stop',
];

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

// A router serving both models the tests name (a server started with -m serves one, and a chat naming another is
// refused: tests/chat/models.test.ts).
beforeAll(async () => {
  double = await startLlamaDouble({
    router: {
      ...DEFAULT_ROUTER,
      models: [
        { id: 'gpt-oss-20b', status: 'loaded', nCtx: 8192 },
        { id: 'gpt-oss-120b', status: 'loaded', nCtx: 8192 },
      ],
    },
  });
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => double.reset());

async function created(path: string, body: Json): Promise<string> {
  const reply = await api.post(path, body);
  expect(reply.status, reply.text).toBe(201);
  return reply.body.id as string;
}

/** Asks over the chat stream and reads it to the end; the answer's id. */
async function ask(conversation_id: string, extra: Json = {}): Promise<string> {
  const stream = await openSse(`${server.url}/api/chat/stream`, {
    body: { conversation_id, message: 'Why is the sky blue?', ...extra },
  });
  expect(stream.status, JSON.stringify(stream.body)).toBe(200);
  const events = await stream.ended;
  expect(events.at(-1)?.event, JSON.stringify(events.at(-1)?.json)).toBe('complete');
  return events[0]!.json.message_id as string;
}

/** The body of the last chat completion llama.cpp (the double) received. */
function sent(): Json {
  const request = double.last(CHAT);
  expect(request, 'llama.cpp received a chat completion').toBeDefined();
  return request!.json as Json;
}

const generationOf = async (messageId: string) => {
  const reply = await api.get(`/api/messages/${messageId}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.metadata.generation as Json;
};

describe('which settings an answer is generated with', () => {
  it('without settings anywhere llama.cpp gets none of the fields, so its own defaults hold', async () => {
    const plain = await startLlamaDouble();
    try {
      const alone = await startTestServer({ llmApiUrl: plain.url });
      const conversation = (await httpClient(alone.url).post('/api/conversations', {})).body.id as string;
      const stream = await openSse(`${alone.url}/api/chat/stream`, {
        body: { conversation_id: conversation, message: 'Why is the sky blue?' },
      });
      const answer = (await stream.ended)[0]!.json.message_id as string;
      const body = plain.last(CHAT)!.json as Json;
      for (const field of [...SAMPLING, 'model', 'reasoning_effort', 'chat_template_kwargs']) {
        expect(body, field).not.toHaveProperty(field);
      }
      const message = (await httpClient(alone.url).get(`/api/messages/${answer}`)).body;
      expect(message.metadata.generation).toStrictEqual({ system_prompt_source: null });
    } finally {
      await plain.close();
    }
  });

  it("the project's settings are the defaults, sent under llama.cpp's names, reasoning effort both ways", async () => {
    const settings = {
      model: 'gpt-oss-20b',
      reasoning_effort: 'low',
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      min_p: 0.05,
      repeat_penalty: 1.1,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      seed: 42,
      max_tokens: 64,
      stop: ['###'],
    };
    const project = await created('/api/projects', { name: 'Defaults', settings });
    const conversation = await created('/api/conversations', { project_id: project });
    const answer = await ask(conversation);
    const { reasoning_effort: _effort, ...fields } = settings;
    expect(sent()).toMatchObject({
      ...fields,
      reasoning_effort: 'low',
      chat_template_kwargs: { reasoning_effort: 'low' },
      stream: true,
    });
    expect(await generationOf(answer)).toStrictEqual({ ...settings, system_prompt_source: null });
  });

  it("a conversation's settings override the project's; a chat's options override both", async () => {
    const project = await created('/api/projects', {
      name: 'Layers',
      settings: { temperature: 0.7, top_k: 40, reasoning_effort: 'low', model: 'gpt-oss-20b' },
    });
    const conversation = await created('/api/conversations', { project_id: project });
    const patched = await api.patch(`/api/conversations/${conversation}`, {
      settings: { temperature: 0.2, reasoning_effort: 'high', seed: 7 },
    });
    expect(patched.status, patched.text).toBe(200);

    const overridden = await ask(conversation);
    expect(sent()).toMatchObject({
      model: 'gpt-oss-20b',
      temperature: 0.2,
      top_k: 40,
      seed: 7,
      reasoning_effort: 'high',
      chat_template_kwargs: { reasoning_effort: 'high' },
    });
    expect(await generationOf(overridden)).toStrictEqual({
      model: 'gpt-oss-20b',
      temperature: 0.2,
      top_k: 40,
      seed: 7,
      reasoning_effort: 'high',
      system_prompt_source: null,
    });

    const asked = await ask(conversation, {
      options: { temperature: 1.1, reasoning_effort: 'medium', min_p: 0.1, model: 'gpt-oss-120b' },
    });
    expect(sent()).toMatchObject({
      model: 'gpt-oss-120b',
      temperature: 1.1,
      top_k: 40,
      seed: 7,
      min_p: 0.1,
      reasoning_effort: 'medium',
      chat_template_kwargs: { reasoning_effort: 'medium' },
    });
    expect(await generationOf(asked)).toMatchObject({ temperature: 1.1, min_p: 0.1, model: 'gpt-oss-120b' });
    // The answer's metadata keeps the options the request asked for, as before, next to what it was generated with.
    expect((await api.get(`/api/messages/${asked}`)).body.metadata.options).toStrictEqual({
      temperature: 1.1,
      reasoning_effort: 'medium',
      min_p: 0.1,
      model: 'gpt-oss-120b',
    });
  });

  it('a regenerated answer is generated with the settings as they are now and its own options', async () => {
    const conversation = await created('/api/conversations', { settings: { temperature: 0.3 } });
    const first = await ask(conversation);
    await api.patch(`/api/conversations/${conversation}`, { settings: { temperature: 0.9, top_k: 5 } });
    const stream = await openSse(`${server.url}/api/messages/${first}/regenerate`, {
      body: { options: { seed: 11 } },
    });
    const events = await stream.ended;
    expect(events.at(-1)?.event).toBe('complete');
    expect(sent()).toMatchObject({ temperature: 0.9, top_k: 5, seed: 11 });
    expect(await generationOf(events[0]!.json.message_id as string)).toStrictEqual({
      temperature: 0.9,
      top_k: 5,
      seed: 11,
      system_prompt_source: null,
    });
    expect(await generationOf(first)).toStrictEqual({ temperature: 0.3, system_prompt_source: null });
  });

  it("a chat's options are held to the same ranges: out of range is 422 naming the field, nothing stored", async () => {
    const conversation = await created('/api/conversations', {});
    const stream = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: conversation, message: 'Hi', options: { top_k: -1 } },
    });
    expect(stream.status).toBe(422);
    expect((stream.body as Json).errors).toContainEqual({ path: 'body/options/top_k', message: expect.any(String) });
    expect((await api.get(`/api/conversations/${conversation}`)).body.message_count).toBe(0);
  });
});

describe('the system prompt', () => {
  const systemOf = () => {
    const first = (sent().messages as Json[])[0]!;
    return first.role === 'system' ? first.content : null;
  };

  it("the project's metadata.system_prompt is sent as before when no setting names one", async () => {
    const project = await created('/api/projects', { name: 'Legacy', metadata: { system_prompt: 'You are terse.' } });
    const answer = await ask(await created('/api/conversations', { project_id: project }));
    expect(systemOf()).toBe('You are terse.');
    expect(await generationOf(answer)).toStrictEqual({ system_prompt_source: 'project_metadata' });
  });

  it("the project's setting wins over its metadata, the conversation's over the project's", async () => {
    const project = await created('/api/projects', {
      name: 'Prompts',
      metadata: { system_prompt: 'From metadata.' },
      settings: { system_prompt: 'From the project.' },
    });
    const conversation = await created('/api/conversations', { project_id: project });
    const fromProject = await ask(conversation);
    expect(systemOf()).toBe('From the project.');
    expect((await generationOf(fromProject)).system_prompt_source).toBe('project');

    await api.patch(`/api/conversations/${conversation}`, { settings: { system_prompt: 'From the conversation.' } });
    const fromConversation = await ask(conversation);
    expect(systemOf()).toBe('From the conversation.');
    expect(await generationOf(fromConversation)).toStrictEqual({ system_prompt_source: 'conversation' });
  });

  it("an empty system prompt on the conversation sends none, over the project's", async () => {
    const project = await created('/api/projects', { name: 'Quiet', settings: { system_prompt: 'Be loud.' } });
    const conversation = await created('/api/conversations', { project_id: project, settings: { system_prompt: '' } });
    const answer = await ask(conversation);
    expect(systemOf()).toBeNull();
    expect((await generationOf(answer)).system_prompt_source).toBe('conversation');
  });

  it('clearing the setting with null falls back to the next level', async () => {
    const project = await created('/api/projects', { name: 'Fallback', metadata: { system_prompt: 'Old way.' } });
    const conversation = await created('/api/conversations', {
      project_id: project,
      settings: { system_prompt: 'New way.' },
    });
    await api.patch(`/api/conversations/${conversation}`, { settings: { system_prompt: null } });
    await ask(conversation);
    expect(systemOf()).toBe('Old way.');
  });
});
