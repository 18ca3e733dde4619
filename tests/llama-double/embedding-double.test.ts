import { afterAll, describe, expect, it, vi } from 'vitest';
import { startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function double(options: StartOptions = { serves: 'embeddings' }): Promise<LlamaDouble> {
  const started = await startLlamaDouble(options);
  doubles.push(started);
  return started;
}

async function post(server: LlamaDouble, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function embed(server: LlamaDouble, input: string | string[]): Promise<number[][]> {
  const { status, json } = await post(server, '/v1/embeddings', { input });
  expect(status).toBe(200);
  return json.data.map((d: { embedding: number[] }) => d.embedding);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

describe('the vectors of the double’s embeddings server', () => {
  it('are the same for the same text, on every request and every double, and of unit length', async () => {
    const [first] = await embed(await double(), 'The llama grazes on the hill');
    const [again] = await embed(await double(), 'The llama grazes on the hill');
    expect(again).toEqual(first);
    expect(dot(first!, first!)).toBeCloseTo(1, 6);
    expect(first!.every((value) => Math.fround(value) === value)).toBe(true);
  });

  it('are made of the lower-cased words: case and punctuation do not change them', async () => {
    const [plain, shouted] = await embed(await double(), ['hello world', 'Hello, WORLD!']);
    expect(shouted).toEqual(plain);
  });

  it('are closer for texts that share words than for texts that share none', async () => {
    const [query, near, far] = await embed(await double(), [
      'how do llamas sleep at night',
      'llamas sleep standing up at night',
      'quarterly revenue grew in europe',
    ]);
    expect(dot(query!, near!)).toBeGreaterThan(0.3);
    expect(dot(query!, near!)).toBeGreaterThan(dot(query!, far!) + 0.3);
  });

  it('have embeddingDimensions components; a text without words gets a vector too', async () => {
    const server = await double({ serves: 'embeddings', embeddingDimensions: 384 });
    const [vector, symbols] = await embed(server, ['one two three', '!!! ???']);
    expect(vector).toHaveLength(384);
    expect(dot(symbols!, symbols!)).toBeCloseTo(1, 6);
  });

  it('come in the order of the input, index by index', async () => {
    const server = await double();
    const { json } = await post(server, '/v1/embeddings', { input: ['alpha', 'beta', 'gamma'] });
    expect(json.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    expect(json.data[1].embedding).toEqual((await embed(server, 'beta'))[0]);
  });
});

describe('the input forms llama.cpp takes', () => {
  it('token ids, alone or mixed with text, are one prompt; a list of id lists is one prompt each', async () => {
    const server = await double();
    const { json } = await post(server, '/v1/embeddings', { input: [[17, 23], ['hello', 42], 'hello world'] });
    expect(json.data).toHaveLength(3);
    expect(json.usage.prompt_tokens).toBe(2 + 2 + 2);
    const single = await post(server, '/v1/embeddings', { input: [17, 23] });
    expect(single.json.data[0].embedding).toEqual(json.data[0].embedding);
  });

  it('`content` instead of `input` on /v1/embeddings answers the native form, as /embeddings does', async () => {
    const server = await double();
    const { json } = await post(server, '/v1/embeddings', { content: 'hello world' });
    expect(json).toEqual([{ index: 0, embedding: [(await embed(server, 'hello world'))[0]] }]);
    expect((await post(server, '/embeddings', { input: 'hello world' })).json).toEqual(json);
  });
});

describe('inputs the double refuses as llama.cpp does', () => {
  const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');

  it('more tokens than ubatch (default 512): 500 naming both; exactly ubatch is embedded', async () => {
    const server = await double();
    expect((await post(server, '/v1/embeddings', { input: words(512) })).status).toBe(200);
    const refused = await post(server, '/v1/embeddings', { input: ['short', words(513)] });
    expect(refused).toEqual({
      status: 500,
      json: {
        error: {
          code: 500,
          message:
            'input (513 tokens) is too large to process. increase the physical batch size (current batch size: 512)',
          type: 'server_error',
        },
      },
    });
  });

  it('a rerank document that with the query is longer than ubatch: the same 500', async () => {
    const server = await double({ serves: 'rerank', ubatch: 8 });
    const refused = await post(server, '/v1/rerank', { query: 'a b c', documents: ['d', 'e f g h i j'] });
    expect(refused.status).toBe(500);
    expect(refused.json.error.message).toMatch(/^input \(9 tokens\) is too large .*current batch size: 8\)$/);
  });

  it('no input, an empty one, one of the wrong type, a body that is not JSON', async () => {
    const server = await double();
    expect(await post(server, '/v1/embeddings', { model: 'x' })).toMatchObject({
      status: 400,
      json: { error: { message: '"input" or "content" must be provided', type: 'invalid_request_error' } },
    });
    expect(await post(server, '/v1/embeddings', { input: '' })).toMatchObject({
      status: 400,
      json: { error: { message: 'Input content cannot be empty' } },
    });
    expect(await post(server, '/v1/embeddings', { input: [] })).toMatchObject({
      status: 500,
      json: { error: { message: '"prompt" must not be empty', type: 'server_error' } },
    });
    expect(await post(server, '/v1/embeddings', { input: 'a', encoding_format: 'hex' })).toMatchObject({
      status: 400,
      json: { error: { message: 'The format to return the embeddings in. Can be either float or base64' } },
    });
    expect((await post(server, '/v1/embeddings', { input: 42 })).status).toBe(500);
    expect((await post(server, '/v1/embeddings', '{"input":')).json.error.message).toMatch(/^\[json\.exception/);
  });

  it('a rerank without a query or documents: 400', async () => {
    const server = await double({ serves: 'rerank' });
    expect((await post(server, '/v1/rerank', { documents: ['a'] })).json.error.message).toBe(
      '"query" must be provided',
    );
    expect((await post(server, '/v1/rerank', { query: 'a', documents: [] })).json.error.message).toBe(
      '"documents" must be a non-empty string array',
    );
  });
});

describe('the double’s rerank server', () => {
  it('scores by the share of the query’s words a document has, on all four paths llama.cpp routes', async () => {
    const server = await double({ serves: 'rerank' });
    const documents = ['the llama sleeps', 'a llama and an alpaca sleep at night', 'stock prices'];
    for (const path of ['/v1/rerank', '/rerank', '/v1/reranking', '/reranking']) {
      const { json } = await post(server, path, { query: 'llama sleep night', documents });
      expect(json.results.map((r: any) => r.index)).toEqual([1, 0, 2]);
      expect(json.results[0].relevance_score).toBe(1);
      expect(json.results[2].relevance_score).toBe(0);
    }
  });

  it('names the served model when the request names none', async () => {
    const server = await double({ serves: 'rerank', modelAlias: 'bge-reranker' });
    expect((await post(server, '/v1/rerank', { query: 'a', documents: ['a'] })).json.model).toBe('bge-reranker');
  });
});

describe('the server kinds', () => {
  it('an embeddings or rerank server is modern unless a build is named; a chat server stays b4748', async () => {
    expect((await double({ serves: 'embeddings' })).options().server).toBe('modern');
    expect((await double({ serves: 'rerank' })).options().server).toBe('modern');
    expect((await double({ serves: 'embeddings', server: 'b4748' })).options().server).toBe('b4748');
    expect((await double({})).options().server).toBe('b4748');
  });

  it('can be changed at runtime: configure({serves}) and reset()', async () => {
    const server = await double({ server: 'modern' });
    expect((await post(server, '/v1/embeddings', { input: 'a' })).status).toBe(501);
    server.configure({ serves: 'embeddings' });
    expect((await post(server, '/v1/embeddings', { input: 'a' })).status).toBe(200);
    server.reset();
    expect((await post(server, '/v1/embeddings', { input: 'a' })).status).toBe(501);
  });

  it('answers chats normally on a chat server, and on an embeddings server when the request has a grammar', async () => {
    const chat = { messages: [{ role: 'user', content: 'Hi' }] };
    expect((await post(await double({ server: 'modern' }), '/v1/chat/completions', chat)).status).toBe(200);
    const embeddings = await double();
    expect((await post(embeddings, '/v1/chat/completions', chat)).status).toBe(500);
    expect((await post(embeddings, '/v1/chat/completions', { ...chat, grammar: 'root ::= "a"' })).status).toBe(200);
  });

  it('/health, /props and /tokenize are those of any server', async () => {
    const server = await double();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/props`)).status).toBe(200);
    const { json } = await post(server, '/tokenize', { content: 'hello wonderful world' });
    expect(json.tokens).toHaveLength(4);
    server.setMode('loading');
    expect((await post(server, '/v1/embeddings', { input: 'a' })).status).toBe(503);
  });
});

describe('what the modern server answers beyond its captures (checked against it in tests/e2e/embedding-server.e2e.ts)', () => {
  it('encoding_format base64: each vector as its float32 bytes, marked so', async () => {
    const server = await double();
    const [floats] = await embed(server, 'a lighthouse at dusk');
    const { json } = await post(server, '/v1/embeddings', { input: 'a lighthouse at dusk', encoding_format: 'base64' });
    const bytes = Buffer.from(json.data[0].embedding, 'base64');
    expect(json.data[0]).toMatchObject({ index: 0, object: 'embedding', encoding_format: 'base64' });
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual(floats);
  });

  it('/tokenize adds no BOS for add_special, as gpt-oss’s vocabulary has none to add', async () => {
    const server = await double();
    const plain = await post(server, '/tokenize', { content: 'hello world' });
    const special = await post(server, '/tokenize', { content: 'hello world', add_special: true });
    expect(special.json.tokens).toEqual(plain.json.tokens);
  });

  it('an error answer says Connection: close and closes the connection; a success keeps it open', async () => {
    const server = await double();
    const refused = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{"input":""}' });
    await refused.arrayBuffer();
    expect(refused.headers.get('connection')).toBe('close');
    expect(refused.headers.get('keep-alive')).toBeNull();
    await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 1_000, interval: 5 });
    const answered = await fetch(`${server.url}/health`);
    await answered.arrayBuffer();
    expect(answered.headers.get('keep-alive')).toMatch(/^timeout=5, max=\d+$/);
    expect(server.openConnections()).toBe(1);
  });
});

describe('embeddingDelayMs', () => {
  it('holds every embeddings and rerank answer that long', async () => {
    const server = await double({ serves: 'embeddings', embeddingDelayMs: 150 });
    const started = performance.now();
    await Promise.all([embed(server, 'a'), embed(server, 'b')]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    server.configure({ serves: 'rerank' });
    const reranked = performance.now();
    await post(server, '/v1/rerank', { query: 'a', documents: ['a'] });
    expect(performance.now() - reranked).toBeGreaterThanOrEqual(145);
  });
});
