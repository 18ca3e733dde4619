import { afterAll, describe, expect, it, vi } from 'vitest';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function send(double: LlamaDouble, body: unknown): Promise<void> {
  const response = await fetch(`${double.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) });
  await response.arrayBuffer();
}

describe('the chat requests the double logged, as chats() reads them', () => {
  it('keeps the model, the template kwargs, the reasoning effort and every sampling field as sent', async () => {
    const double = await startLlamaDouble({ server: 'modern' });
    doubles.push(double);
    const messages = [{ role: 'user', content: 'Hi' }];
    await send(double, {
      model: 'gpt-oss-20b',
      messages,
      stream: true,
      chat_template_kwargs: { reasoning_effort: 'low' },
      ...{ temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, repeat_penalty: 1.1 },
      ...{ presence_penalty: 0.2, frequency_penalty: 0.3, seed: 42, max_tokens: 256, stop: ['</s>'] },
      n_probs: 3,
    });
    await send(double, { messages, reasoning_effort: 'high' });

    const [first, second] = double.chats();
    expect(first).toEqual({
      model: 'gpt-oss-20b',
      stream: true,
      chatTemplateKwargs: { reasoning_effort: 'low' },
      reasoningEffort: null,
      effectiveReasoningEffort: 'low',
      sampling: {
        ...{ temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, repeat_penalty: 1.1 },
        ...{ presence_penalty: 0.2, frequency_penalty: 0.3, seed: 42, max_tokens: 256, stop: ['</s>'] },
      },
      messages,
    });
    expect(second).toMatchObject({
      model: null,
      stream: false,
      chatTemplateKwargs: null,
      reasoningEffort: 'high',
      effectiveReasoningEffort: 'high',
      sampling: {},
    });
  });

  it('leaves out requests that are no chat or whose body is not a JSON object', async () => {
    const double = await startLlamaDouble();
    doubles.push(double);
    await fetch(`${double.url}/v1/chat/completions`, { method: 'POST', body: '{broken' }).then((r) => r.arrayBuffer());
    await fetch(`${double.url}/tokenize`, { method: 'POST', body: '{"content":"x"}' }).then((r) => r.arrayBuffer());
    await send(double, { messages: [], temperature: 0 });
    expect(double.chats().map((chat) => chat.sampling)).toEqual([{ temperature: 0 }]);
  });
});

describe('the embeddings and rerank requests the double logged', () => {
  const post = (double: LlamaDouble, path: string, body: unknown) =>
    fetch(`${double.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.arrayBuffer());

  it('embeddings() keeps each request’s path, model and texts, whatever it was answered', async () => {
    const double = await startLlamaDouble({ serves: 'embeddings', ubatch: 2 });
    doubles.push(double);
    await post(double, '/v1/embeddings', { model: 'nomic-embed', input: ['one', 'two'] });
    await post(double, '/embedding', { content: 'three' });
    await post(double, '/v1/embeddings', { input: 'far too long for it' });
    await post(double, '/v1/rerank', { query: 'q', documents: ['d'] });
    expect(double.embeddings()).toEqual([
      { path: '/v1/embeddings', model: 'nomic-embed', texts: ['one', 'two'] },
      { path: '/embedding', model: null, texts: ['three'] },
      { path: '/v1/embeddings', model: null, texts: ['far too long for it'] },
    ]);
    expect(double.count('POST /v1/embeddings')).toBe(2);
  });

  it('marks when each request was answered in full; one whose client left while the answer was held has none', async () => {
    const double = await startLlamaDouble({ serves: 'embeddings', embeddingDelayMs: 300 });
    doubles.push(double);
    await post(double, '/v1/embeddings', { input: 'kept' });
    const left = new AbortController();
    const abandoned = fetch(`${double.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ input: 'left' }),
      signal: left.signal,
    }).catch(() => undefined);
    await vi.waitFor(() => expect(double.requests).toHaveLength(2), { timeout: 1_000, interval: 5 });
    left.abort();
    await abandoned;
    await vi.waitFor(() => expect(double.requests[1]?.clientClosed).toBe(true), { timeout: 1_000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [answered, unanswered] = double.requests;
    expect(answered?.answeredAt).toBeGreaterThanOrEqual(answered!.receivedAt + 300);
    expect(unanswered?.answeredAt).toBeNull();
  });

  it('reranks() keeps the query, the documents (or TEI’s texts) and top_n', async () => {
    const double = await startLlamaDouble({ serves: 'rerank' });
    doubles.push(double);
    await post(double, '/v1/rerank', { model: 'bge', query: 'q', documents: ['a', 'b'], top_n: 1 });
    await post(double, '/rerank', { query: 'r', texts: ['c'] });
    expect(double.reranks()).toEqual([
      { path: '/v1/rerank', model: 'bge', query: 'q', documents: ['a', 'b'], topN: 1 },
      { path: '/rerank', model: null, query: 'r', documents: ['c'], topN: null },
    ]);
  });
});
