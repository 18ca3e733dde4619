import { fetchJson } from './upstream-json.js';

/** The documented estimate when llama.cpp cannot count: about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens of `text` in the loaded model, from POST /tokenize; the estimate when that fails in any way. */
export async function countTokens(baseUrl: string, text: string, timeoutMs: number): Promise<number> {
  try {
    const body = await fetchJson(
      `${baseUrl}/tokenize`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: text }) },
      timeoutMs,
    );
    const tokens = (body as { tokens?: unknown } | null)?.tokens;
    return Array.isArray(tokens) ? tokens.length : estimateTokens(text);
  } catch {
    return estimateTokens(text);
  }
}
