import { assertNever } from '../domain/shared/assert-never.js';
import { LlmError } from '../llm/llama-client.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from './problem.js';

/** How a failure of llama.cpp reaches a client that waited for a whole reply (not a stream). */
export function llmProblem(error: LlmError): HttpProblem {
  const detail = `llama.cpp: ${error.message}`;
  switch (error.type) {
    case 'llm_unavailable':
      return new HttpProblem(503, 'llm-unavailable', detail, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
    case 'timeout':
      return new HttpProblem(504, 'llm-timeout', detail);
    case 'llm_error':
    case 'context_overflow':
      return new HttpProblem(502, 'llm-error', detail);
    default:
      return assertNever(error.type);
  }
}

/** Runs `call`, turning its LlmError into the problem a client gets. */
export async function withLlmProblems<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof LlmError ? llmProblem(error) : error;
  }
}
