import { createChatStreamParser, type ChatStreamParser } from './chat-stream.js';
import type { ChatChunk, ChatRequest } from './chat-types.js';
import { describeFailure, errorFromStatus, LlmError } from './llm-error.js';
import { postForStream, type StreamedResponse } from './post-for-stream.js';
import { readLineBatches } from './sse-lines.js';
import { createWatchdog, type Watchdog } from './watchdog.js';

export type StreamTimeouts = { firstTokenTimeoutMs: number; idleTimeoutMs: number };

/**
 * The body of POST /v1/chat/completions: only the options the caller set. The reasoning effort goes to gpt-oss's
 * chat template (`chat_template_kwargs`, which current llama.cpp builds honour) and as the top-level field newer
 * builds read.
 */
export function chatCompletionBody(request: ChatRequest): Record<string, unknown> {
  const { reasoning_effort, ...options } = request.options ?? {};
  const set = Object.entries(options).filter(([, value]) => value !== undefined);
  return {
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
    ...Object.fromEntries(set),
    ...(reasoning_effort === undefined ? {} : { reasoning_effort, chat_template_kwargs: { reasoning_effort } }),
  };
}

/**
 * Streams a chat completion from llama.cpp, yielding the deltas of each network read as soon as it arrives (one
 * batch per read: a fast server sends many tokens in one packet, and they are relayed in one write).
 * Failures throw LlmError; an abort of `signal` closes the upstream connection at once and throws the signal's reason.
 */
export async function* streamChat(
  baseUrl: string,
  timeouts: StreamTimeouts,
  request: ChatRequest,
  signal: AbortSignal,
  onAccepted: () => void = () => undefined,
): AsyncGenerator<ChatChunk[], void, undefined> {
  signal.throwIfAborted();
  const upstream = new AbortController();
  const watchdog = createWatchdog(() => upstream.abort(new DOMException('llama.cpp timed out', 'TimeoutError')));
  const cancel = () => upstream.abort(signal.reason);
  signal.addEventListener('abort', cancel, { once: true });
  const firstTokenDeadline = performance.now() + timeouts.firstTokenTimeoutMs;
  let response: StreamedResponse | undefined;
  let finished = false;
  let sawLine = false;
  try {
    watchdog.arm(timeouts.firstTokenTimeoutMs);
    const opened = await openStream(baseUrl, request, upstream.signal);
    response = opened;
    onAccepted();
    const read = async () => {
      watchdog.arm(sawLine ? timeouts.idleTimeoutMs : firstTokenDeadline - performance.now());
      try {
        return await opened.read();
      } finally {
        watchdog.disarm();
      }
    };
    const parser = createChatStreamParser();
    for await (const lines of readLineBatches(read)) {
      if (lines.some((line) => line !== '')) sawLine = true;
      const { chunks, done, failure } = parseBatch(parser, lines);
      // What came before a bad line is still the answer's.
      if (chunks.length > 0) yield chunks;
      if (failure !== undefined) throw failure;
      signal.throwIfAborted();
      if (done) break;
    }
    finished = true;
    yield [parser.finish()];
  } catch (error) {
    throw classify(error, { signal, watchdog, timeouts, connected: response !== undefined, sawLine, baseUrl });
  } finally {
    watchdog.disarm();
    signal.removeEventListener('abort', cancel);
    // A stream read to its end leaves its connection open for the next chat; any other is cut.
    if (!finished) {
      upstream.abort();
      response?.close();
    }
  }
}

function parseBatch(
  parser: ChatStreamParser,
  lines: string[],
): { chunks: ChatChunk[]; done: boolean; failure?: unknown } {
  const chunks: ChatChunk[] = [];
  try {
    for (const line of lines) {
      const result = parser.line(line);
      chunks.push(...result.chunks);
      if (result.done) return { chunks, done: true };
    }
  } catch (failure) {
    return { chunks, done: false, failure };
  }
  return { chunks, done: false };
}

async function openStream(baseUrl: string, request: ChatRequest, signal: AbortSignal): Promise<StreamedResponse> {
  const body = JSON.stringify(chatCompletionBody(request));
  const response = await postForStream(`${baseUrl}/v1/chat/completions`, body, signal);
  if (response.status < 200 || response.status > 299) {
    throw errorFromStatus(response.status, await response.text());
  }
  return response;
}

type Situation = {
  signal: AbortSignal;
  watchdog: Watchdog;
  timeouts: StreamTimeouts;
  connected: boolean;
  sawLine: boolean;
  baseUrl: string;
};

function classify(error: unknown, situation: Situation): unknown {
  if (situation.signal.aborted) return situation.signal.reason;
  if (situation.watchdog.fired) {
    const { firstTokenTimeoutMs, idleTimeoutMs } = situation.timeouts;
    return situation.sawLine
      ? new LlmError('timeout', `no data from llama.cpp for ${idleTimeoutMs} ms`)
      : new LlmError('timeout', `no first token from llama.cpp within ${firstTokenTimeoutMs} ms`);
  }
  if (error instanceof LlmError) return error;
  if (!situation.connected) {
    return new LlmError(
      'llm_unavailable',
      `llama.cpp is unreachable at ${situation.baseUrl}: ${describeFailure(error)}`,
    );
  }
  return new LlmError('llm_error', `the llama.cpp stream broke off: ${describeFailure(error)}`);
}
