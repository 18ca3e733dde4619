import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EMBEDDING_ENDPOINTS } from './embeddings-endpoint.js';
import { ENDPOINTS } from './endpoints.js';
import type { Exchange } from './exchange.js';
import { loggedChat, type LoggedChat } from './logged-chat.js';
import { loggedEmbedding, loggedRerank, type LoggedEmbedding, type LoggedRerank } from './logged-embedding.js';
import { DEFAULT_OPTIONS, type LlamaDoubleOptions, type LlamaMode } from './options.js';
import { recording, replay, type Recording } from './recordings.js';
import { RERANK_ENDPOINTS } from './rerank-endpoint.js';
import { ROUTER_ENDPOINTS } from './router-endpoints.js';
import { createRouterState, type RouterModel, type RouterState, type ShownStatus } from './router-state.js';
import { withChanges } from './server-presets.js';
import { httpLayerError, LOADING, NOT_FOUND, sendJson, setHeadStyle } from './wire.js';

/** A request as received; the timestamps are performance.now() of the double's process. */
export type ReceivedRequest = {
  method: string;
  path: string;
  /** The request target as sent, query included. */
  url: string;
  body: string;
  /** The parsed JSON body; undefined when it is not JSON. */
  json: unknown;
  receivedAt: number;
  /** Content (and reasoning) tokens written so far. */
  tokensSent: number;
  /** When the TCP connection that carried the request closed; null while it is open. */
  closedAt: number | null;
  /** When the response was sent in full; null while it is being answered, or when it never was. */
  answeredAt: number | null;
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
  /** Back to the options (and router models) the double was started with; the request log is kept. */
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
  /** What each POST /v1/chat/completions with a JSON object body asked for, in order (see logged-chat.ts). */
  chats: () => LoggedChat[];
  /** What each request to /v1/embeddings, /embeddings or /embedding asked for, in order. */
  embeddings: () => LoggedEmbedding[];
  /** What each request to /v1/rerank or one of its aliases asked for, in order. */
  reranks: () => LoggedRerank[];
  /** A router's models and what GET /models shows of each; [] when the double is no router. */
  routerModels: () => (RouterModel & { status: ShownStatus })[];
  /** TCP connections open right now. */
  openConnections: () => number;
  close: () => Promise<void>;
};

export type StartOptions = Partial<LlamaDoubleOptions> & { port?: number; host?: string };

/**
 * A stand-in llama.cpp: a real HTTP server generating what a llama-server b4748 sends, or with `server: 'modern'` what
 * a September 2026 build sends, also as a router, an embeddings or a rerank server (see tests/fixtures/llama-cpp and
 * its modern/). A router, an embeddings or a rerank server without a named `server` is modern: b4748 had no router
 * mode, and the embedding captures are of the modern build.
 */
export async function startLlamaDouble(start: StartOptions = {}): Promise<LlamaDouble> {
  const { port = 0, host = '127.0.0.1', ...initial } = start;
  const modernOnly = initial.router || (initial.serves !== undefined && initial.serves !== 'chat');
  const modern = modernOnly && initial.server === undefined ? { server: 'modern' as const } : {};
  const startedWith: LlamaDoubleOptions = withChanges(DEFAULT_OPTIONS, { ...modern, ...initial });
  let options: LlamaDoubleOptions = { ...startedWith };
  const newRouter = () => (startedWith.router ? createRouterState(startedWith.router) : null);
  let router: RouterState | null = newRouter();
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
        url: req.url ?? '/',
        body,
        json: parseJson(body),
        receivedAt: performance.now(),
        tokensSent: 0,
        closedAt: null,
        answeredAt: null,
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
    res.on('finish', () => {
      received.answeredAt = performance.now();
    });
    res.on('close', () => {
      if (!res.writableFinished && !destroyedByDouble) received.clientClosed = true;
      closed.abort();
    });
    if (current.mode === 'silent') return;
    const key = `${received.method} ${received.path}`;
    const override = routes.get(key);
    if (override) return replayAnswer(res, override(received, current.mode));
    setHeadStyle(res, current.server);
    if (current.mode === 'loading') return sendJson(res, 503, httpLayerError(current.server, LOADING));
    const endpoint = (router ? ROUTER_ENDPOINTS : ENDPOINTS)[key];
    if (!endpoint) return sendJson(res, 404, httpLayerError(current.server, NOT_FOUND));
    const exchange: Exchange = {
      response: res,
      options: current,
      json: received.json,
      query: new URL(received.url, 'http://double').searchParams,
      router,
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

  const requestsTo = (endpoints: Record<string, unknown>) =>
    requests.filter((r) => `${r.method} ${r.path}` in endpoints);

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
      options = withChanges(options, changes);
    },
    reset: () => {
      options = { ...startedWith };
      router = newRouter();
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
    chats: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions')
        .flatMap((r) => loggedChat(r.json) ?? []),
    embeddings: () => requestsTo(EMBEDDING_ENDPOINTS).map((r) => loggedEmbedding(r.path, r.json)),
    reranks: () => requestsTo(RERANK_ENDPOINTS).map((r) => loggedRerank(r.path, r.json)),
    routerModels: () => router?.models() ?? [],
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
