import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ENDPOINTS } from './endpoints.js';
import type { Exchange } from './exchange.js';
import { DEFAULT_OPTIONS, type LlamaDoubleOptions, type LlamaMode } from './options.js';
import { recording, replay, type Recording } from './recordings.js';
import { LOADING, NOT_FOUND, sendJson } from './wire.js';

/** A request as received; the timestamps are performance.now() of the double's process. */
export type ReceivedRequest = {
  method: string;
  path: string;
  body: string;
  /** The parsed JSON body; undefined when it is not JSON. */
  json: unknown;
  receivedAt: number;
  /** Content (and reasoning) tokens written so far. */
  tokensSent: number;
  /** When the TCP connection that carried the request closed; null while it is open. */
  closedAt: number | null;
  /** The client closed the connection before the response was complete (an abort). */
  clientClosed: boolean;
  /** The double closed the connection without answering (closeReused). */
  closedUnanswered: boolean;
};

/** Overrides one endpoint: a recording file name to replay, a Recording, or null for llama.cpp's 404. */
export type LlamaRoute = (request: ReceivedRequest, mode: LlamaMode) => string | Recording | null;

export type LlamaDouble = {
  /** Base URL for LLM_API_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The options new requests are answered with. */
  options: () => Readonly<LlamaDoubleOptions>;
  /** Changes options for the requests that follow; a request in flight keeps the options it started with. */
  configure: (changes: Partial<LlamaDoubleOptions>) => void;
  /** Back to the options the double was started with; the request log is kept. */
  reset: () => void;
  setMode: (mode: LlamaMode) => void;
  /** Adds or replaces the answer to `METHOD /path`, e.g. route('GET /props', () => 'props.txt'). */
  route: (key: string, answer: LlamaRoute) => void;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** How many requests hit `METHOD /path`. */
  count: (key: string) => number;
  /** The last request to `METHOD /path` (or to anything). */
  last: (key?: string) => ReceivedRequest | undefined;
  /** TCP connections open right now. */
  openConnections: () => number;
  close: () => Promise<void>;
};

export type StartOptions = Partial<LlamaDoubleOptions> & { port?: number; host?: string };

/** A stand-in llama.cpp: a real HTTP server generating what a llama-server b4748 sends (see tests/fixtures/llama-cpp). */
export async function startLlamaDouble(start: StartOptions = {}): Promise<LlamaDouble> {
  const { port = 0, host = '127.0.0.1', ...initial } = start;
  const startedWith: LlamaDoubleOptions = { ...DEFAULT_OPTIONS, ...initial };
  let options: LlamaDoubleOptions = { ...startedWith };
  const routes = new Map<string, LlamaRoute>();
  const requests: ReceivedRequest[] = [];
  const connections = new Map<Socket, ReceivedRequest[]>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const received: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        body,
        json: parseJson(body),
        receivedAt: performance.now(),
        tokensSent: 0,
        closedAt: null,
        clientClosed: false,
        closedUnanswered: false,
      };
      requests.push(received);
      const carried = connections.get(req.socket);
      carried?.push(received);
      if (options.closeReused && carried && carried.length > 1) {
        received.closedUnanswered = true;
        req.socket.destroy();
        return;
      }
      void answer(received, res, { ...options }).catch((error: unknown) => {
        console.error('llama double: answering failed', error);
        res.destroy();
      });
    });
  });

  server.on('connection', (socket: Socket) => {
    const carried: ReceivedRequest[] = [];
    connections.set(socket, carried);
    socket.on('close', () => {
      connections.delete(socket);
      for (const request of carried) request.closedAt ??= performance.now();
    });
  });

  async function answer(received: ReceivedRequest, res: ServerResponse, current: LlamaDoubleOptions): Promise<void> {
    const closed = new AbortController();
    let destroyedByDouble = false;
    res.on('error', () => undefined);
    res.on('close', () => {
      if (!res.writableFinished && !destroyedByDouble) received.clientClosed = true;
      closed.abort();
    });
    if (current.mode === 'silent') return;
    const key = `${received.method} ${received.path}`;
    const override = routes.get(key);
    if (override) return replayAnswer(res, override(received, current.mode));
    if (current.mode === 'loading') return sendJson(res, 503, LOADING);
    const endpoint = ENDPOINTS[key];
    if (!endpoint) return sendJson(res, 404, NOT_FOUND);
    const exchange: Exchange = {
      response: res,
      options: current,
      json: received.json,
      closed: closed.signal,
      tokenSent: () => {
        received.tokensSent += 1;
      },
      destroy: () => {
        destroyedByDouble = true;
        const socket = res.socket;
        socket?.write('', () => socket.destroy());
      },
    };
    await endpoint(exchange, received.body);
  }

  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    options: () => options,
    configure: (changes) => {
      options = { ...options, ...changes };
    },
    reset: () => {
      options = { ...startedWith };
    },
    setMode: (mode) => {
      options = { ...options, mode };
    },
    route: (key, answer) => {
      routes.set(key, answer);
    },
    requests,
    count: (key) => requests.filter((r) => `${r.method} ${r.path}` === key).length,
    last: (key) => requests.findLast((r) => key === undefined || `${r.method} ${r.path}` === key),
    openConnections: () => connections.size,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function replayAnswer(res: ServerResponse, answer: string | Recording | null): void {
  if (answer === null) return sendJson(res, 404, NOT_FOUND);
  replay(res, typeof answer === 'string' ? recording(answer) : answer);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
