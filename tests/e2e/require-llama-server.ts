import { llamaServerCache, missingFromCache } from '../support/real-llama-server.js';

/** Global setup: the end-to-end run fails at once, saying what to do, when the real llama-server is not built. */
export default function requireLlamaServer(): void {
  const dir = llamaServerCache();
  const missing = missingFromCache(dir);
  if (missing.length > 0) {
    throw new Error(`${dir} lacks ${missing.join(', ')}: run scripts/llama-server.sh build first (minutes, once)`);
  }
}
