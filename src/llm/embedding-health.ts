import { probeHealth } from './llm-health.js';

export type EmbeddingServerStatus = 'ok' | 'loading' | 'unreachable';

/** GET /health of an embeddings (or rerank) server, within `timeoutMs`: any failure to answer 200 is unreachable. */
export async function embeddingServerHealth(baseUrl: string, timeoutMs: number): Promise<EmbeddingServerStatus> {
  switch (await probeHealth(baseUrl.replace(/\/+$/, ''), timeoutMs)) {
    case 'connected':
      return 'ok';
    case 'loading':
      return 'loading';
    case 'disconnected':
      return 'unreachable';
  }
}
