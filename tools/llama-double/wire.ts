import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** llama.cpp's error body: {"error":{"code","message","type"}} plus any extra fields of newer servers. */
export type LlamaErrorBody = { error: { code: number; message: string; type: string; [extra: string]: unknown } };

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  500: 'server_error',
  501: 'not_supported_error',
  503: 'unavailable_error',
};

export function errorBody(code: number, message: string, type = ERROR_TYPES[code] ?? 'server_error'): LlamaErrorBody {
  return { error: { code, message, type } };
}

export const LOADING = errorBody(503, 'Loading model');
export const NOT_FOUND = errorBody(404, 'File Not Found');
export const CONTEXT_EXCEEDED = errorBody(
  400,
  'the request exceeds the available context size. try increasing the context size or enable context shift',
);

/** Newer servers name the sizes and use their own error type. */
export function contextExceededNewer(promptTokens: number, nCtx: number): LlamaErrorBody {
  const message = `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens)`;
  const body = errorBody(400, message, 'exceed_context_size_error');
  return { error: { ...body.error, n_prompt_tokens: promptTokens, n_ctx: nCtx } };
}

const requestsPerSocket = new WeakMap<Socket, number>();

/** cpp-httplib counts down the requests left on a keep-alive connection, from 100. */
function keepAlive(response: ServerResponse): string {
  const socket = response.req.socket;
  const served = (requestsPerSocket.get(socket) ?? 0) + 1;
  requestsPerSocket.set(socket, served);
  return `timeout=5, max=${Math.max(101 - served, 1)}`;
}

/** Headers in llama.cpp's order; Node adds `Connection: keep-alive` (a hop-by-hop header) after them. */
function writeHead(response: ServerResponse, status: number, contentType: string, framing: [string, string]): void {
  response.sendDate = false;
  response.writeHead(
    status,
    STATUS_CODES[status] ?? '',
    [
      ['Keep-Alive', keepAlive(response)],
      ['Content-Type', contentType],
      ['Server', 'llama.cpp'],
      framing,
      ['Access-Control-Allow-Origin', ''],
    ].flat(),
  );
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendRaw(response, status, Buffer.from(JSON.stringify(body)));
}

/** A JSON response whose body is given as bytes (e.g. deliberately broken JSON). */
export function sendRaw(response: ServerResponse, status: number, body: Buffer): void {
  writeHead(response, status, 'application/json; charset=utf-8', ['Content-Length', String(body.length)]);
  response.end(body);
}

export function openEventStream(response: ServerResponse): void {
  writeHead(response, 200, 'text/event-stream', ['Transfer-Encoding', 'chunked']);
  response.flushHeaders();
}

/** One server-sent event the way llama.cpp writes it: `field: value` and a blank line, nothing else. */
export function sseEvent(field: 'data' | 'error', value: unknown, lineEnding: string): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `${field}: ${text}${lineEnding}${lineEnding}`;
}
