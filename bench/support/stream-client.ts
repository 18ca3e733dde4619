import { request, type Agent } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * How to ask for a stream and read it. Both kinds parse every token's JSON once, as a client showing the text would,
 * so the API's events and llama.cpp's chunks cost the client about the same.
 */
export type Protocol = {
  path: string;
  body: string;
  /** An API `token` or `reasoning` event, or a llama.cpp chunk with non-empty content or reasoning_content. */
  isToken: (event: EventSourceMessage) => boolean;
  /** The event that ends a stream that went well. */
  isSuccess: (event: EventSourceMessage) => boolean;
};

type LlamaChunk = { choices?: { delta?: { content?: unknown; reasoning_content?: unknown } }[] };

/** llama.cpp's OpenAI-compatible streamed completion, as a client would ask the double directly. */
export const llamaChat: Protocol = {
  path: '/v1/chat/completions',
  body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }),
  isToken: (event) => {
    if (event.event !== undefined || event.data === '[DONE]') return false;
    const delta = parseJson<LlamaChunk>(event.data)?.choices?.[0]?.delta;
    const text = delta?.content ?? delta?.reasoning_content;
    return typeof text === 'string' && text !== '';
  },
  isSuccess: (event) => event.data === '[DONE]',
};

/** The API's chat stream. */
export const apiChat = (conversationId: string, message: string): Protocol => ({
  path: '/api/chat/stream',
  body: JSON.stringify({ conversation_id: conversationId, message }),
  isToken: (event) =>
    (event.event === 'token' || event.event === 'reasoning') &&
    typeof parseJson<{ token?: unknown }>(event.data)?.token === 'string',
  isSuccess: (event) => event.event === 'complete',
});

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export type StreamResult = {
  status: number;
  /** The stream ended with its success event (`complete`, or llama.cpp's `[DONE]`). */
  ok: boolean;
  tokens: number;
  /** performance.now() times: the request sent, its headers received, the chunks holding the first and last token. */
  startedAt: number;
  headersAt: number;
  firstTokenAt: number;
  lastTokenAt: number;
  error?: string;
};

/**
 * The bench's one SSE client (node:http, eventsource-parser), for every variant every streaming scenario compares.
 * A token's time is when the chunk holding it arrived, taken once per chunk: tokens that arrive together are
 * counted as arriving together. `onToken` hears each token's time; nothing else is kept per token.
 */
export function readStream(
  agent: Agent,
  baseUrl: string,
  protocol: Protocol,
  onToken?: (at: number) => void,
): Promise<StreamResult> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const result: StreamResult = {
      status: 0,
      ok: false,
      tokens: 0,
      startedAt: performance.now(),
      headersAt: Number.NaN,
      firstTokenAt: Number.NaN,
      lastTokenAt: Number.NaN,
    };
    let chunkAt = 0;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) result.error = error.message;
      resolve(result);
    };
    const parser = createParser({
      onEvent(event) {
        if (protocol.isSuccess(event)) result.ok = true;
        else if (protocol.isToken(event)) {
          if (result.tokens++ === 0) result.firstTokenAt = chunkAt;
          result.lastTokenAt = chunkAt;
          onToken?.(chunkAt);
        }
      },
    });
    const req = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: protocol.path,
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': Buffer.byteLength(protocol.body),
        },
      },
      (res) => {
        result.headersAt = performance.now();
        result.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          chunkAt = performance.now();
          parser.feed(chunk);
        });
        res.on('error', settle);
        res.on('close', () => settle(res.complete ? undefined : new Error('the response was cut off')));
      },
    );
    req.on('error', settle);
    req.end(protocol.body);
  });
}
