import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

/** /tokenize takes one text; this many are asked at once. */
const CONCURRENCY = 8;

/**
 * The tokens of each text in the server's model, from POST /tokenize {content} (without the special tokens an
 * embedding adds, such as BOS), in the order of the texts; `timeoutMs` bounds each request. Unlike countTokens it
 * never estimates: the first failure (an LlmError) stops the rest and is thrown.
 */
export async function tokenCounts(
  baseUrl: string,
  texts: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/tokenize`;
  const stop = new AbortController();
  const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const counts = new Array<number>(texts.length);
  let next = 0;
  const work = async () => {
    while (next < texts.length) {
      const at = next++;
      counts[at] = await countOne(url, texts[at] ?? '', timeoutMs, stopped);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, texts.length) }, work));
  } catch (error) {
    stop.abort();
    throw signal?.aborted ? signal.reason : error;
  }
  return counts;
}

async function countOne(url: string, text: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const body = await fetchJson(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: text }) },
    timeoutMs,
    signal,
  );
  const tokens = (body as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) throw new LlmError('llm_error', 'llama.cpp answered /tokenize without a list of tokens');
  return tokens.length;
}
