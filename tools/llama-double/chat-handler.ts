import { chatRequest, planChat, type ChatPlan, type ChatRequest } from './chat-plan.js';
import { streamCompletion } from './chat-stream-writer.js';
import { completionBody, completionStats, newCompletion, type Completion } from './completion-chunks.js';
import { pause, type Exchange } from './exchange.js';
import type { LlamaDoubleOptions } from './options.js';
import {
  CONTEXT_EXCEEDED,
  contextExceededModern,
  errorBody,
  httpLayerError,
  LOADING,
  malformedJson,
  sendJson,
  sendRaw,
  type LlamaErrorBody,
} from './wire.js';

/** POST /v1/chat/completions, streamed or not, as configured in `exchange.options`. */
export async function answerChat(exchange: Exchange, body: string): Promise<void> {
  const { response, options } = exchange;
  const malformed = malformedJson(body);
  if (malformed !== null) return sendJson(response, 500, malformed);
  const request = chatRequest(exchange.json);
  if (!request) {
    return sendJson(response, 500, errorBody(500, "[json.exception.out_of_range.403] key 'messages' not found"));
  }
  const plan = planChat(options, request);
  const refusal = refusalOf(options, request, plan);
  if (refusal) return sendJson(response, refusal.error.code, refusal);
  const completion = newCompletion(replyModel(options, request), options.server);
  if (request.stream) return streamCompletion(exchange, completion, plan);
  return completeAtOnce(exchange, plan, completion);
}

/** b4748 echoes the request's model; the modern server names the model it serves (its alias, else its path). */
function replyModel(options: LlamaDoubleOptions, request: ChatRequest): string {
  switch (options.server) {
    case 'b4748':
      return typeof request.model === 'string' ? request.model : 'gpt-3.5-turbo';
    case 'modern':
      return options.modelAlias ?? options.modelPath;
  }
}

function contextExceeded(options: LlamaDoubleOptions, plan: ChatPlan): LlamaErrorBody {
  switch (options.server) {
    case 'b4748':
      return CONTEXT_EXCEEDED;
    case 'modern':
      return contextExceededModern(plan.prompt.tokens, options.nCtx);
  }
}

/** An HTTP error answered before any token, as llama.cpp does for these failures. */
function refusalOf(options: LlamaDoubleOptions, request: ChatRequest, plan: ChatPlan): LlamaErrorBody | null {
  const message = (fallback: string) => options.errorMessage ?? fallback;
  // Context shift is off by default on the modern server: a prompt that fills the slot is refused, never truncated.
  if (options.server === 'modern' && plan.prompt.tokens >= options.nCtx) return contextExceeded(options, plan);
  switch (options.failure) {
    case 'http_error':
      return errorBody(options.httpStatus, message(`simulated http_error ${options.httpStatus}`));
    case 'loading':
      return httpLayerError(options.server, LOADING);
    case 'context_overflow':
      return !request.stream || options.errorStyle === 'http' ? contextExceeded(options, plan) : null;
    case 'stream_error_line':
    case 'stream_error_data':
      return request.stream ? null : errorBody(500, message(`simulated ${options.failure}`));
    case 'none':
    case 'malformed':
    case 'reset':
    case 'no_finish':
    case 'stall_first':
    case 'stall_after':
      return null;
  }
}

async function completeAtOnce(exchange: Exchange, plan: ChatPlan, completion: Completion): Promise<void> {
  const { options, response } = exchange;
  switch (options.failure) {
    case 'stall_first':
    case 'stall_after':
      return;
    case 'reset':
    case 'no_finish':
      return exchange.destroy();
    case 'malformed':
      return sendRaw(response, 200, Buffer.from('{"choices":[{"finish_reason":"st'));
    case 'none':
    case 'http_error':
    case 'loading':
    case 'context_overflow':
    case 'stream_error_line':
    case 'stream_error_data':
      break;
  }
  const tokens = plan.reasoning.length + plan.content.length;
  const started = performance.now();
  if (!(await pause(Math.max(tokens - 1, 0) * options.tokenDelayMs, exchange.closed))) return;
  const stats = completionStats(plan.prompt, tokens, started, options.server);
  const body = completionBody(completion, {
    content: plan.content.join(''),
    reasoning: plan.reasoning.length > 0 ? plan.reasoning.join('') : null,
    reason: plan.reason,
    ...(options.usage === 'none' ? { timings: stats.timings } : stats),
  });
  sendJson(response, 200, body);
}
