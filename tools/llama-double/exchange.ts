import type { ServerResponse } from 'node:http';
import type { LlamaDoubleOptions } from './options.js';
import type { RouterState } from './router-state.js';

/** One request being answered: the options it was received under and the hooks that record what happened. */
export type Exchange = {
  response: ServerResponse;
  options: Readonly<LlamaDoubleOptions>;
  /** The parsed JSON body; undefined when the body is not JSON. */
  json: unknown;
  /** The request target's query, e.g. `model` of GET /props?model=… on a router. */
  query: URLSearchParams;
  /** The router's models when the double runs as a router (options.router), else null. */
  router: RouterState | null;
  /** Aborts when the connection closes, whoever closed it. */
  closed: AbortSignal;
  tokenSent: () => void;
  /** Closes the socket once what was written is flushed (a simulated reset), recorded as the double's doing. */
  destroy: () => void;
};

/** Waits `ms`; false when the connection closed meanwhile. */
export function pause(ms: number, closed: AbortSignal): Promise<boolean> {
  if (closed.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      closed.removeEventListener('abort', onClose);
      resolve(true);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    closed.addEventListener('abort', onClose, { once: true });
  });
}

/**
 * Writes one event as one HTTP chunk, or in `splitBytes`-byte chunks. Each write gets an event-loop turn of its own,
 * as llama-server sends each event in a send() of its own: Node 24 joins the writes of one turn into one HTTP chunk.
 */
export async function writeEvent(exchange: Exchange, text: string): Promise<boolean> {
  const bytes = Buffer.from(text);
  const size = exchange.options.splitBytes > 0 ? exchange.options.splitBytes : bytes.length;
  for (let at = 0; at < bytes.length; at += size) {
    await new Promise((resolve) => setImmediate(resolve));
    if (exchange.closed.aborted) return false;
    exchange.response.write(bytes.subarray(at, at + size));
  }
  return true;
}

/** Waits `ms` like pause(), writing `comment` after every `pingMs` of it (0: never), as a server's SSE keep-alive. */
export async function pauseWithPings(
  exchange: Exchange,
  ms: number,
  pingMs: number,
  comment: string,
): Promise<boolean> {
  let left = ms;
  while (pingMs > 0 && left > pingMs) {
    if (!(await pause(pingMs, exchange.closed))) return false;
    left -= pingMs;
    if (!(await writeEvent(exchange, comment))) return false;
  }
  return pause(left, exchange.closed);
}
