import { LlmError } from './llm-error.js';

/**
 * llama.cpp refused an embedding or rerank input longer than its physical batch (-ub): such a task is not split
 * over batches. The caller can cut the text to `batchSize` tokens and send it again. Both are null when the server's
 * message does not say them (builds before the numbers were added to it).
 */
export class InputTooLargeError extends LlmError {
  constructor(
    message: string,
    readonly tokens: number | null,
    readonly batchSize: number | null,
    status?: number,
  ) {
    super('llm_error', message, status);
  }
}

/** The server was not started for this: embeddings need `--embeddings`, reranking `--rerank`. */
export class NotSupportedError extends LlmError {
  constructor(
    message: string,
    readonly feature: 'embeddings' | 'reranking',
    status?: number,
  ) {
    super('llm_error', message, status);
  }
}

const TOO_LARGE =
  /input (?:\((\d+) tokens\) )?is too large to process\. increase the physical batch size(?: \(current batch size: (\d+)\))?/i;
const NOT_SUPPORTED = /does not support (embeddings|reranking)/i;

/** The LlmError of a failed embeddings or rerank request, made one of the two above when its message is theirs. */
export function embeddingError(error: LlmError): LlmError {
  const large = TOO_LARGE.exec(error.message);
  if (large) {
    const count = (text: string | undefined) => (text === undefined ? null : Number(text));
    return new InputTooLargeError(error.message, count(large[1]), count(large[2]), error.status);
  }
  const unsupported = NOT_SUPPORTED.exec(error.message);
  if (unsupported) {
    const feature = unsupported[1]?.toLowerCase() === 'embeddings' ? 'embeddings' : 'reranking';
    return new NotSupportedError(error.message, feature, error.status);
  }
  return error;
}

/** Rethrows a failure of fetchJson, an LlmError made one of the two above where it is theirs. */
export function rethrowEmbeddingError(error: unknown): never {
  throw error instanceof LlmError ? embeddingError(error) : error;
}
