export type LlmErrorType = 'llm_unavailable' | 'llm_error' | 'context_overflow' | 'timeout';

/** What a current llama-server says of a prompt it refused as too long (exceed_context_size_error). */
export type Overflow = { n_prompt_tokens: number; n_ctx: number };

/** A failure of llama.cpp or of the way to it; a cancel by the caller is never one (it throws the signal's reason). */
export class LlmError extends Error {
  override readonly name = 'LlmError';

  constructor(
    readonly type: LlmErrorType,
    message: string,
    readonly status?: number,
    readonly overflow?: Overflow,
  ) {
    super(message);
  }
}

/** b4748: "the request exceeds the available context size..."; newer: type exceed_context_size_error. */
const CONTEXT_OVERFLOW = /exceeds? the available context size/i;

/** llama.cpp's {"code","message","type"} error object (from a body, an `error:` line or a `data: {"error"}` event). */
export function errorFromPayload(payload: unknown, status?: number): LlmError {
  const error = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const message =
    typeof error.message === 'string' ? error.message : typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (CONTEXT_OVERFLOW.test(message) || error.type === 'exceed_context_size_error') {
    const { n_prompt_tokens, n_ctx } = error;
    const sized = typeof n_prompt_tokens === 'number' && typeof n_ctx === 'number';
    return new LlmError('context_overflow', message, status, sized ? { n_prompt_tokens, n_ctx } : undefined);
  }
  return new LlmError('llm_error', message, status);
}

/** An HTTP error status of llama.cpp: 503 while it loads the model, the others with the server's message. */
export function errorFromStatus(status: number, body: string): LlmError {
  const payload = parseErrorBody(body);
  if (status === 503) {
    const message = typeof payload?.message === 'string' ? payload.message : 'llama.cpp is unavailable';
    return new LlmError('llm_unavailable', message, status);
  }
  return errorFromPayload(payload ?? { message: body.trim() || `HTTP ${status}` }, status);
}

function parseErrorBody(body: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed?.error === 'object' && parsed.error !== null
      ? (parsed.error as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** What a failed fetch says went wrong: the cause's code (ECONNREFUSED, ENOTFOUND...) or its message. */
export function describeFailure(error: unknown): string {
  // node:http puts the system error's code on the error itself, fetch on its cause.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
