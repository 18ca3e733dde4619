import { describeFailure, errorFromStatus, LlmError } from './llm-error.js';

/** Fetches a JSON answer of llama.cpp; every failure is an LlmError (unreachable, timeout, HTTP status, not JSON). */
export async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    if ((error as Error | null)?.name === 'TimeoutError') {
      throw new LlmError('timeout', `llama.cpp did not answer ${url} within ${timeoutMs} ms`);
    }
    throw new LlmError('llm_unavailable', `llama.cpp is unreachable at ${url}: ${describeFailure(error)}`);
  }
  if (!response.ok) throw errorFromStatus(response.status, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LlmError('llm_error', `llama.cpp answered ${url} with something that is not JSON`, response.status);
  }
}
