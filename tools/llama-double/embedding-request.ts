import type { LlamaDoubleOptions } from './options.js';

/** The request body as llama.cpp reads its fields: anything but a JSON object has none. */
export function requestObject(json: unknown): Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** Embedding and rerank replies echo the request's `model`; without one they name the served model. */
export function echoedModel(request: Record<string, unknown>, options: LlamaDoubleOptions): string {
  return typeof request.model === 'string' ? request.model : (options.modelAlias ?? options.modelPath);
}

export function usage(tokens: number): { prompt_tokens: number; total_tokens: number } {
  return { prompt_tokens: tokens, total_tokens: tokens };
}
