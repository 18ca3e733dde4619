import { afterAll, describe, expect, it } from 'vitest';
import { rawExchange, type RawRequest } from '../../tools/llama-double/raw-exchange.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import {
  modernRecording,
  modernRequest,
  startLlamaDouble,
  type LlamaDouble,
  type StartOptions,
} from '../support/llama-double.js';
import { events, expectSameHeadAsCapture, shape } from './wire-assertions.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function double(options: StartOptions): Promise<LlamaDouble> {
  const started = await startLlamaDouble(options);
  doubles.push(started);
  return started;
}

/** The request of a capture, to the path it went to, sent as the captures were: one request per connection. */
function asCaptured(name: string, path: string, changes: Record<string, unknown> = {}): RawRequest {
  return { method: 'POST', path, body: { ...modernRequest(name), ...changes }, headers: [['Connection', 'close']] };
}

const json = (body: Buffer) => JSON.parse(body.toString()) as any;

/** JSON as JavaScript writes it: f11's `-0.0` becomes 0, which toEqual tells apart from -0. */
const normalised = (value: unknown) => JSON.parse(JSON.stringify(value)) as any;

/** A body with every embedding's numbers left out (the double's are hashed words, the capture's a random model's). */
function withoutVectors(body: any): any {
  return JSON.parse(JSON.stringify(body), (key, value) => (key === 'embedding' ? '<vector>' : value));
}

async function compare(server: LlamaDouble, name: string, path: string) {
  const answer = await rawExchange(server.url, asCaptured(name, path));
  const recorded = modernRecording(name);
  expectSameHeadAsCapture(answer.recording, recorded);
  return { generated: json(answer.recording.body), recorded: json(recorded.body), raw: answer.recording.body };
}

describe('an embeddings server (--embeddings --pooling mean) as recorded (f01…f07)', () => {
  it('POST /v1/embeddings of one string: the head and JSON of f01 but for the vector, 64 numbers long', async () => {
    const server = await double({ serves: 'embeddings' });
    const { generated, recorded } = await compare(server, 'f01_v1_embeddings_one', '/v1/embeddings');
    expect(shape(generated)).toEqual(shape(recorded));
    expect(withoutVectors(generated)).toEqual(withoutVectors(recorded));
    expect(generated.data[0].embedding).toHaveLength(recorded.data[0].embedding.length);
  });

  it('POST /v1/embeddings of three strings: the shape of f02, one vector per input in order, usage their tokens', async () => {
    const server = await double({ serves: 'embeddings' });
    const { generated, recorded } = await compare(server, 'f02_v1_embeddings_three', '/v1/embeddings');
    expect(shape(generated)).toEqual(shape(recorded));
    expect(generated.data.map((d: any) => [d.index, d.object])).toEqual(
      recorded.data.map((d: any) => [d.index, d.object]),
    );
    const input = modernRequest('f02_v1_embeddings_three').input as string[];
    const tokens = input.reduce((sum, text) => sum + pieces(text).length, 0);
    expect(generated.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it('POST /embedding {content}: the shape of f03, one nested vector, the same as /v1/embeddings gives', async () => {
    const server = await double({ serves: 'embeddings' });
    const { generated, recorded } = await compare(server, 'f03_embedding_native', '/embedding');
    expect(shape(generated)).toEqual(shape(recorded));
    const oai = await compare(server, 'f01_v1_embeddings_one', '/v1/embeddings');
    expect(generated[0].embedding[0]).toEqual(oai.generated.data[0].embedding);
  });

  it('an input longer than the physical batch: the exact bytes of f06 and f07, with the double’s counts', async () => {
    // The capture's model counts a token per byte (99), the double a token per word piece (50): its batch is smaller.
    const server = await double({ serves: 'embeddings', ubatch: 32 });
    for (const [name, path] of [
      ['f06_v1_embeddings_input_too_large', '/v1/embeddings'],
      ['f07_embedding_native_input_too_large', '/embedding'],
    ] as const) {
      const answer = await rawExchange(server.url, asCaptured(name, path));
      const recorded = modernRecording(name);
      expectSameHeadAsCapture(answer.recording, recorded);
      const expected = recorded.body.toString().replace('99 tokens', '50 tokens').replace('size: 64', 'size: 32');
      expect(answer.recording.body.toString()).toBe(expected);
    }
  });

  it('a chat without a grammar: the exact bytes of f04; with one, an answer of the shape of f04c', async () => {
    const server = await double({ serves: 'embeddings' });
    const failed = await compare(server, 'f04_chat_on_embeddings_server', '/v1/chat/completions');
    expect(failed.raw).toEqual(modernRecording('f04_chat_on_embeddings_server').body);
    const answered = await compare(server, 'f04c_chat_grammar_on_embeddings_server', '/v1/chat/completions');
    expect(shape(answered.generated)).toEqual(shape(answered.recorded));
  });

  it('a streamed chat without a grammar fails as on a chat server without one: one error event, no [DONE]', async () => {
    const server = await double({ serves: 'embeddings' });
    const stream = await rawExchange(
      server.url,
      asCaptured('f04_chat_on_embeddings_server', '/v1/chat/completions', { stream: true }),
    );
    expect(stream.recording.status).toBe(200);
    const sent = events(stream.recording.body);
    expect(sent.map((e) => (e.json as any).error?.code)).toEqual([500]);
  });

  it('POST /tokenize: the head and shape of d07, as many tokens for "hello world" as f01 counted', async () => {
    const server = await double({ serves: 'embeddings' });
    const answer = await rawExchange(server.url, asCaptured('d07_tokenize', '/tokenize'));
    const recorded = modernRecording('d07_tokenize');
    expectSameHeadAsCapture(answer.recording, recorded);
    expect(shape(json(answer.recording.body))).toEqual(shape(json(recorded.body)));
    expect(json(answer.recording.body).tokens).toHaveLength(
      json(modernRecording('f01_v1_embeddings_one').body).usage.prompt_tokens,
    );
  });

  it('POST /v1/rerank: the exact bytes of e07 (the server was not started with --rerank)', async () => {
    const server = await double({ serves: 'embeddings' });
    const answer = await rawExchange(server.url, asCaptured('e07_rerank_not_enabled', '/v1/rerank'));
    expectSameHeadAsCapture(answer.recording, modernRecording('e07_rerank_not_enabled'));
    expect(answer.recording.body).toEqual(modernRecording('e07_rerank_not_enabled').body);
  });
});

describe('a rerank server (--rerank) as recorded (f08…f11)', () => {
  it('POST /v1/rerank: the head and shape of f08, every document scored, sorted by score, the model echoed', async () => {
    const server = await double({ serves: 'rerank' });
    const { generated, recorded } = await compare(server, 'f08_v1_rerank', '/v1/rerank');
    expect(shape(generated)).toEqual(shape(recorded));
    expect(generated.model).toBe(recorded.model);
    expect(generated.object).toBe(recorded.object);
    expect(generated.results.map((r: any) => r.index).sort()).toEqual([0, 1, 2]);
    const scores = generated.results.map((r: any) => r.relevance_score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // "hello" is in "hello world" only, the first document of f08's: its score is the highest, as recorded.
    expect(generated.results[0].index).toBe(recorded.results[0].index);
  });

  it('top_n: as many results as f09 has, the best ones', async () => {
    const server = await double({ serves: 'rerank' });
    const { generated, recorded } = await compare(server, 'f09_v1_rerank_top_n', '/v1/rerank');
    expect(shape(generated)).toEqual(shape(recorded));
    expect(generated.results).toHaveLength(recorded.results.length);
    const documents = modernRequest('f09_v1_rerank_top_n').documents as string[];
    expect(documents[generated.results[0].index]).toBe('hello world');
  });

  it('TEI’s form (texts, return_text): the bare array of f10 with index, score and text', async () => {
    const server = await double({ serves: 'rerank' });
    const { generated, recorded } = await compare(server, 'f10_rerank_tei_format', '/rerank');
    expect(shape(generated)).toEqual(shape(recorded));
    const texts = modernRequest('f10_rerank_tei_format').texts as string[];
    expect(generated.map((r: any) => r.text)).toEqual(generated.map((r: any) => texts[r.index]));
    expect(generated).toHaveLength(texts.length);
  });

  it('POST /v1/embeddings: the JSON of f11, an all-zero vector', async () => {
    const server = await double({ serves: 'rerank' });
    const { generated, recorded } = await compare(server, 'f11_v1_embeddings_on_rerank_server', '/v1/embeddings');
    expect(generated).toEqual(normalised(recorded));
  });
});

describe('a chat server asked for embeddings or a rerank', () => {
  it('POST /v1/rerank: the exact bytes of e07', async () => {
    const server = await double({ server: 'modern' });
    const answer = await rawExchange(server.url, asCaptured('e07_rerank_not_enabled', '/v1/rerank'));
    expectSameHeadAsCapture(answer.recording, modernRecording('e07_rerank_not_enabled'));
    expect(answer.recording.body).toEqual(modernRecording('e07_rerank_not_enabled').body);
  });

  it('POST /v1/embeddings: 501 not_supported_error with the head of e07 (no capture: llama.cpp’s source)', async () => {
    const server = await double({ server: 'modern' });
    const answer = await rawExchange(server.url, asCaptured('f01_v1_embeddings_one', '/v1/embeddings'));
    expectSameHeadAsCapture(answer.recording, modernRecording('e07_rerank_not_enabled'));
    expect(json(answer.recording.body)).toEqual({
      error: {
        code: 501,
        message: 'This server does not support embeddings. Start it with `--embeddings`',
        type: 'not_supported_error',
      },
    });
  });
});
