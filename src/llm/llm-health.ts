export type LlmStatus = 'connected' | 'disconnected' | 'loading';
export type LlmHealth = () => Promise<LlmStatus>;

/**
 * Probes `GET {baseUrl}/health` with a timeout and remembers the answer for `cacheMs`,
 * so /health stays cheap; concurrent callers share one probe.
 */
export function createLlmHealth(
  baseUrl: string,
  options: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {},
): LlmHealth {
  const { timeoutMs = 2000, cacheMs = 5000, now = Date.now } = options;
  let cached: { status: LlmStatus; at: number } | undefined;
  let inFlight: Promise<LlmStatus> | undefined;
  return async () => {
    if (cached && now() - cached.at < cacheMs) return cached.status;
    inFlight ??= probeHealth(baseUrl, timeoutMs).then((status) => {
      cached = { status, at: now() };
      inFlight = undefined;
      return status;
    });
    return inFlight;
  };
}

/** One GET /health: connected on 200, loading on llama.cpp's 503 "Loading model", else disconnected. */
export async function probeHealth(baseUrl: string, timeoutMs: number): Promise<LlmStatus> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.ok) return 'connected';
    // llama.cpp answers 503 {"error":{"message":"Loading model"}} while it loads the weights.
    return response.status === 503 && /loading/i.test(body) ? 'loading' : 'disconnected';
  } catch {
    return 'disconnected';
  }
}
