import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ReadChunk } from './sse-lines.js';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export type StreamedResponse = {
  status: number;
  /** The next piece of the body as it arrives. */
  read: ReadChunk;
  /** The whole body as text (for an error answer). */
  text: () => Promise<string>;
  /** Stops reading and closes the connection; a body read to its end needs none, and keeps it for the next. */
  close: () => void;
};

/**
 * POSTs a JSON body and hands over the response as it streams in, over node:http on keep-alive connections:
 * less CPU per chunk than fetch's web streams, and about 0.7 ms sooner to the first byte when measured alone.
 * Aborting `signal` closes the connection at once.
 */
export async function postForStream(url: string, body: string, signal: AbortSignal): Promise<StreamedResponse> {
  const first = await attempt(url, body, signal);
  // llama-server closes a connection idle for 5 s; the agent may pick it as the close is on its way. Nothing
  // reached llama.cpp then, so the request goes again on a new connection rather than failing the chat.
  return first.type === 'stale_connection' ? settle(await attempt(url, body, signal)) : settle(first);
}

type Attempt = { type: 'response'; response: StreamedResponse } | { type: 'stale_connection'; error: unknown };

function settle(result: Attempt): StreamedResponse {
  if (result.type === 'stale_connection') throw result.error;
  return result.response;
}

function attempt(url: string, body: string, signal: AbortSignal): Promise<Attempt> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': Buffer.byteLength(body),
        },
        signal,
      },
      (response) => resolve({ type: 'response', response: streamed(response) }),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && !signal.aborted && STALE_CODES.has(error.code ?? '');
      if (stale) resolve({ type: 'stale_connection', error });
      else reject(error);
    });
    request.end(body);
  });
}

/** How a request fails on a connection the server closed before it answered anything. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

function streamed(response: IncomingMessage): StreamedResponse {
  const pieces = response[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    status: response.statusCode ?? 0,
    read: async () => {
      const { done, value } = await pieces.next();
      return done ? { done: true } : { done: false, value };
    },
    text: async () => {
      const all: Buffer[] = [];
      for (let next = await pieces.next(); !next.done; next = await pieces.next()) all.push(next.value);
      return Buffer.concat(all).toString('utf8');
    },
    close: () => void response.destroy(),
  };
}
