import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerBuild } from './options.js';

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

/** An error of the HTTP layer (404, 503 loading): the modern server orders its keys message, type, code. */
export function httpLayerError(server: ServerBuild, body: LlamaErrorBody): LlamaErrorBody {
  switch (server) {
    case 'b4748':
      return body;
    case 'modern': {
      const { code, message, type } = body.error;
      return { error: { message, type, code } };
    }
  }
}
export const CONTEXT_EXCEEDED = errorBody(
  400,
  'the request exceeds the available context size. try increasing the context size or enable context shift',
);

/** The modern server's refusal, before any SSE, of a prompt of at least n_ctx tokens (context shift is off). */
export function contextExceededModern(promptTokens: number, nCtx: number): LlamaErrorBody {
  const message = `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`;
  const body = errorBody(400, message, 'exceed_context_size_error');
  return { error: { ...body.error, n_prompt_tokens: promptTokens, n_ctx: nCtx } };
}

/** Servers between the two builds name the sizes and use their own error type. */
export function contextExceededNewer(promptTokens: number, nCtx: number): LlamaErrorBody {
  const message = `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens)`;
  const body = errorBody(400, message, 'exceed_context_size_error');
  return { error: { ...body.error, n_prompt_tokens: promptTokens, n_ctx: nCtx } };
}

/** What llama.cpp answers (500) for a body that is not JSON, nlohmann's message after its prefix; null when it parses. */
export function malformedJson(body: string): LlamaErrorBody | null {
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    return errorBody(500, `[json.exception.parse_error.101] parse error: ${(error as Error).message}`);
  }
}

/** An embedding or rerank input longer than the physical batch (-ub), which such a task cannot be split over. */
export function inputTooLarge(tokens: number, batchSize: number): LlamaErrorBody {
  return errorBody(
    500,
    `input (${tokens} tokens) is too large to process. increase the physical batch size (current batch size: ${batchSize})`,
  );
}

const requestsPerSocket = new WeakMap<Socket, number>();

/** cpp-httplib counts down the requests left on a keep-alive connection, from 100. */
function keepAlive(response: ServerResponse): string {
  const socket = response.req.socket;
  const served = (requestsPerSocket.get(socket) ?? 0) + 1;
  requestsPerSocket.set(socket, served);
  return `timeout=5, max=${Math.max(101 - served, 1)}`;
}

/**
 * Whose headers a response carries: b4748's, the modern server's, or a modern router's relaying a child's answer
 * (chunked even for JSON, `Connection: close` from the child, then its own).
 */
export type HeadStyle = ServerBuild | 'proxied';

const headStyles = new WeakMap<ServerResponse, HeadStyle>();

export function setHeadStyle(response: ServerResponse, style: HeadStyle): void {
  headStyles.set(response, style);
}

type Header = [string, string];

/**
 * Headers in the server's order. Node adds `Connection: keep-alive`, or `Connection: close` when the client asked to
 * close, after them unless a Connection header is set here. The modern server's cpp-httplib leaves no connection open
 * after an error (a status of 400 or more): it says `Connection: close` and closes.
 */
function headersOf(
  response: ServerResponse,
  status: number,
  contentType: string,
  framing: Header,
  stream: boolean,
): Header[] {
  const style = headStyles.get(response) ?? 'b4748';
  const origin: Header = ['Access-Control-Allow-Origin', response.req.headers.origin ?? ''];
  const closing = /close/i.test(response.req.headers.connection ?? '');
  const unbuffered: Header[] = stream ? [['X-Accel-Buffering', 'no']] : [];
  switch (style) {
    case 'b4748':
      return [
        ['Keep-Alive', keepAlive(response)],
        ['Content-Type', contentType],
        ['Server', 'llama.cpp'],
        framing,
        ['Access-Control-Allow-Origin', ''],
      ];
    case 'modern':
      return [
        ['Server', 'llama.cpp'],
        origin,
        ...unbuffered,
        ['Content-Type', contentType],
        framing,
        ...(status >= 400 ? [['Connection', 'close'] as Header] : []),
        ...(closing || status >= 400 ? [] : [['Keep-Alive', keepAlive(response)] as Header]),
      ];
    case 'proxied':
      return [
        ['Server', 'llama.cpp'],
        origin,
        ['Connection', 'close'],
        ['X-Accel-Buffering', 'no'],
        ['Content-Type', contentType],
        ['Transfer-Encoding', 'chunked'],
        ...(closing ? [['Connection', 'close'] as Header] : []),
      ];
  }
}

function writeHead(response: ServerResponse, status: number, contentType: string, framing: Header, stream = false) {
  response.sendDate = false;
  response.writeHead(
    status,
    STATUS_CODES[status] ?? '',
    headersOf(response, status, contentType, framing, stream).flat(),
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
  writeHead(response, 200, 'text/event-stream', ['Transfer-Encoding', 'chunked'], true);
  response.flushHeaders();
}

/** One server-sent event the way llama.cpp writes it: `field: value` and a blank line, nothing else. */
export function sseEvent(field: 'data' | 'error', value: unknown, lineEnding: string): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `${field}: ${text}${lineEnding}${lineEnding}`;
}
