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
  const call = async () => {
    const answered = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return { answered, body: await answered.text() };
  };
  try {
    // llama-server closes a connection idle for 5 s; a request sent on it as it closes reached nothing, so it goes
    // again (on a new connection). Every request fetched here is safe to repeat.
    ({ answered: response, body: text } = await call().catch((error: unknown) => {
      if (!closedUnanswered(error) || timeout.aborted || signal?.aborted) throw error;
      return call();
    }));
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

/** undici's "other side closed" (or a reset) before any byte of an answer. */
function closedUnanswered(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}
