import { describeFailure, errorFromStatus, LlmError } from './llm-error.js';

/**
 * Fetches a JSON answer of llama.cpp; every failure is an LlmError (unreachable, timeout, HTTP status, not JSON),
 * except an abort of `signal` by the caller, which throws the signal's reason.
 */
export async function fetchJson(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown> {
  let response: Response;
  let text: string;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
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
