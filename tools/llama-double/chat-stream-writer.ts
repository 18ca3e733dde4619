import type { ChatPlan } from './chat-plan.js';
import {
  completionStats,
  contentChunk,
  finishChunk,
  reasoningChunk,
  roleChunk,
  usageChunk,
  type Completion,
} from './completion-chunks.js';
import { pauseWithPings, writeEvent, type Exchange } from './exchange.js';
import type { FailureMode, UsageStyle } from './options.js';
import { CONTEXT_EXCEEDED, contextExceededNewer, errorBody, openEventStream, sseEvent } from './wire.js';

/** A truncated chunk, as a proxy or a buggy server might cut one. */
const GARBAGE = '{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"tru';

type Step = 'continue' | 'stop';

/** Streams a planned completion the way the configured server build does, failing as configured. */
export async function streamCompletion(exchange: Exchange, completion: Completion, plan: ChatPlan): Promise<void> {
  const { options, response } = exchange;
  const send = (field: 'data' | 'error', value: unknown) =>
    writeEvent(exchange, sseEvent(field, value, options.lineEnding));
  openEventStream(response);
  if (options.failure === 'context_overflow') {
    const error = options.errorStyle === 'data' ? contextExceededNewer(plan.prompt.tokens, options.nCtx) : null;
    await (error ? send('data', error) : send('error', CONTEXT_EXCEEDED.error));
    return endAfterError(exchange, send);
  }
  if (options.failure === 'stall_first') return;
  const chunks = [
    ...plan.reasoning.map((text) => reasoningChunk(completion, text)),
    ...plan.content.map((text) => contentChunk(completion, text)),
  ];
  const failure = midStreamFailure(options.failure);
  const failAt = failure ? Math.min(options.failAfter, chunks.length) : -1;
  // The modern server sends the role chunk with the first token's result: none when it fails before any.
  const endsAtOnce = failAt === 0 && failure !== 'malformed';
  const roleFirst = options.roleChunk && !(options.server === 'modern' && endsAtOnce);
  if (roleFirst && !(await send('data', roleChunk(completion)))) return;
  const ping = `:${options.lineEnding}${options.lineEnding}`;
  const started = performance.now();
  for (const [i, chunk] of chunks.entries()) {
    if (failure && i === failAt && (await fail(exchange, send, failure)) === 'stop') return;
    if (i > 0 && !(await pauseWithPings(exchange, options.tokenDelayMs, plan.pingMs, ping))) return;
    if (!(await send('data', chunk))) return;
    exchange.tokenSent();
  }
  if (failure && failAt === chunks.length && (await fail(exchange, send, failure)) === 'stop') return;
  const stats = completionStats(plan.prompt, chunks.length, started, options.server);
  switch (usagePlacement(options.usage, plan.includeUsage)) {
    case 'finish':
      await send('data', finishChunk(completion, plan.reason, stats));
      break;
    case 'separate':
      await send('data', finishChunk(completion, plan.reason, {}));
      await send('data', usageChunk(completion, stats));
      break;
    case 'none':
      await send('data', finishChunk(completion, plan.reason, { timings: stats.timings }));
      break;
  }
  await end(exchange, send);
}

type Send = (field: 'data' | 'error', value: unknown) => Promise<boolean>;

async function end(exchange: Exchange, send: Send): Promise<void> {
  if (await send('data', '[DONE]')) exchange.response.end();
}

/** b4748 closes a failed stream with `[DONE]` too; the modern server just ends it. */
async function endAfterError(exchange: Exchange, send: Send): Promise<void> {
  switch (exchange.options.server) {
    case 'b4748':
      return end(exchange, send);
    case 'modern':
      exchange.response.end();
  }
}

function usagePlacement(usage: UsageStyle, requested: boolean): Exclude<UsageStyle, 'requested'> {
  switch (usage) {
    case 'requested':
      return requested ? 'separate' : 'none';
    case 'finish':
    case 'separate':
    case 'none':
      return usage;
  }
}

type MidStreamFailure = Extract<
  FailureMode,
  'stream_error_line' | 'stream_error_data' | 'malformed' | 'reset' | 'no_finish' | 'stall_after'
>;

function midStreamFailure(failure: FailureMode): MidStreamFailure | null {
  switch (failure) {
    case 'stream_error_line':
    case 'stream_error_data':
    case 'malformed':
    case 'reset':
    case 'no_finish':
    case 'stall_after':
      return failure;
    case 'none':
    case 'http_error':
    case 'loading':
    case 'context_overflow':
    case 'stall_first':
      return null;
  }
}

async function fail(exchange: Exchange, send: Send, failure: MidStreamFailure): Promise<Step> {
  const error = errorBody(500, exchange.options.errorMessage ?? `simulated ${failure}`);
  switch (failure) {
    case 'stream_error_line':
      await send('error', error.error);
      await endAfterError(exchange, send);
      return 'stop';
    case 'stream_error_data':
      await send('data', error);
      await endAfterError(exchange, send);
      return 'stop';
    case 'malformed':
      await send('data', GARBAGE);
      return 'continue';
    case 'reset':
      exchange.destroy();
      return 'stop';
    case 'no_finish':
      exchange.response.end();
      return 'stop';
    case 'stall_after':
      return 'stop';
  }
}
