import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Raw HTTP exchanges recorded from a real llama-server (see its README.md). */
export const RECORDINGS_DIR = process.env.LLAMA_RECORDINGS_DIR ?? '/work/shared/llama-cpp';

/** A recorded llama.cpp response, split into what is needed to send it again. */
export type Recording = {
  status: number;
  statusText: string;
  /** In recorded order and spelling. */
  headers: [string, string][];
  body: Buffer;
  /** The body was sent chunked (a stream); it is stored de-chunked. */
  chunked: boolean;
};

/**
 * Parses a recorded response: status line, headers, blank line, body (stored de-chunked).
 * A recorded Content-Length is only trusted to drop what the recording added after the body
 * (a trailing newline); the double always frames what it sends itself, so a body edited after the
 * recording (props.txt and models.txt carry a longer model path than their Content-Length says)
 * is still sent whole and well framed.
 */
export function parseRecording(raw: Buffer): Recording {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('not a recorded HTTP response: no blank line after the headers');
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!status) throw new Error(`not a recorded HTTP response: ${JSON.stringify(statusLine)}`);
  const all = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const header = (name: string) => all.find(([key]) => key.toLowerCase() === name)?.[1];
  let body = raw.subarray(end + 4);
  const declared = Number(header('content-length'));
  if (Number.isInteger(declared) && body.length === declared + 1 && body.at(-1) === 0x0a) {
    body = body.subarray(0, declared);
  }
  return {
    status: Number(status[1]),
    statusText: status[2] ?? '',
    headers: all,
    body,
    chunked: /chunked/i.test(header('transfer-encoding') ?? ''),
  };
}

const cache = new Map<string, Recording>();

/** A recording by file name, e.g. 'health.txt'; parsed once. */
export function recording(file: string): Recording {
  let parsed = cache.get(file);
  if (!parsed) {
    parsed = parseRecording(readFileSync(join(RECORDINGS_DIR, file)));
    cache.set(file, parsed);
  }
  return parsed;
}

/** Sends a recording as llama.cpp sent it: same status line, headers in order, same body bytes. */
export function replay(response: ServerResponse, recorded: Recording): void {
  // Node chunks the body itself when Transfer-Encoding: chunked is set; Content-Length is made true.
  const headers = recorded.headers.map(([name, value]): [string, string] =>
    name.toLowerCase() === 'content-length' ? [name, String(recorded.body.length)] : [name, value],
  );
  response.sendDate = false;
  response.writeHead(recorded.status, recorded.statusText, headers.flat());
  // Stream recordings are written as one chunk; a later chat double can split them per event.
  response.end(recorded.body);
}

/** ok: the model is loaded; loading: 503 "Loading model"; silent: accepts the request, never answers. */
export type LlamaMode = 'ok' | 'loading' | 'silent';

export type ReceivedRequest = { method: string; path: string; body: string };

/** Chooses the answer to one request; returns a recording file name, or null for llama.cpp's 404. */
export type LlamaRoute = (request: ReceivedRequest, mode: LlamaMode) => string | null;

const defaultRoutes: Record<string, LlamaRoute> = {
  'GET /health': (_request, mode) => (mode === 'loading' ? 'health_loading_503.txt' : 'health.txt'),
};

export type LlamaDouble = {
  /** Base URL for LLM_API_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  setMode: (mode: LlamaMode) => void;
  /** Adds or replaces the answer to `METHOD /path`, e.g. route('GET /props', () => 'props.txt'). */
  route: (key: string, answer: LlamaRoute) => void;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** How many requests hit `METHOD /path`. */
  count: (key: string) => number;
  close: () => Promise<void>;
};

/** A stand-in llama.cpp: a real HTTP server on an ephemeral port replaying recorded responses. */
export async function startLlamaDouble(options: { mode?: LlamaMode } = {}): Promise<LlamaDouble> {
  let mode: LlamaMode = options.mode ?? 'ok';
  const routes = new Map(Object.entries(defaultRoutes));
  const requests: ReceivedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(received);
      if (mode === 'silent') return;
      const answer = routes.get(`${received.method} ${received.path}`);
      replay(res, recording(answer?.(received, mode) ?? 'err_404.txt'));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => {
      mode = next;
    },
    route: (key, answer) => {
      routes.set(key, answer);
    },
    requests,
    count: (key) => requests.filter((r) => `${r.method} ${r.path}` === key).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
