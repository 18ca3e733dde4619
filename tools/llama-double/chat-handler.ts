import { chatRequest, planChat, type ChatPlan, type ChatRequest } from './chat-plan.js';
import { streamCompletion } from './chat-stream-writer.js';
import { completionBody, completionStats, newCompletion, type Completion } from './completion-chunks.js';
import { pause, type Exchange } from './exchange.js';
import { CONTEXT_EXCEEDED, errorBody, LOADING, sendJson, sendRaw, type LlamaErrorBody } from './wire.js';

/** POST /v1/chat/completions, streamed or not, as configured in `exchange.options`. */
export async function answerChat(exchange: Exchange, body: string): Promise<void> {
  const { response } = exchange;
  const parseError = jsonParseError(body);
  if (parseError !== null) {
    return sendJson(response, 500, errorBody(500, `[json.exception.parse_error.101] parse error: ${parseError}`));
  }
  const request = chatRequest(exchange.json);
  if (!request) {
    return sendJson(response, 500, errorBody(500, "[json.exception.out_of_range.403] key 'messages' not found"));
  }
  const refusal = refusalOf(exchange, request);
  if (refusal) return sendJson(response, refusal.error.code, refusal);
  const plan = planChat(exchange.options, request);
  const completion = newCompletion(request.model);
  if (request.stream) return streamCompletion(exchange, completion, plan);
  return completeAtOnce(exchange, plan, completion);
}

function jsonParseError(body: string): string | null {
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** An HTTP error answered before any token, as llama.cpp does for these failures. */
function refusalOf(exchange: Exchange, request: ChatRequest): LlamaErrorBody | null {
  const { options } = exchange;
  const message = (fallback: string) => options.errorMessage ?? fallback;
  switch (options.failure) {
    case 'http_error':
      return errorBody(options.httpStatus, message(`simulated http_error ${options.httpStatus}`));
    case 'loading':
      return LOADING;
    case 'context_overflow':
      return !request.stream || options.errorStyle === 'http' ? CONTEXT_EXCEEDED : null;
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
  const stats = completionStats(plan.promptTokens, tokens, started);
  const body = completionBody(completion, {
    content: plan.content.join(''),
    reasoning: plan.reasoning.length > 0 ? plan.reasoning.join('') : null,
    reason: plan.reason,
    ...(options.usage === 'none' ? { timings: stats.timings } : stats),
  });
  sendJson(response, 200, body);
}
