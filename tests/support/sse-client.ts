import { createParser } from 'eventsource-parser';

/** One Server-Sent Event as eventsource-parser read it: its raw data, that data parsed as JSON, when it arrived. */
export type SseEvent = {
  id: string | undefined;
  event: string | undefined;
  data: string;
  /** The data parsed as JSON; undefined when it is not JSON. */
  json: any;
  /** performance.now() when the chunk that completed the event was read from the socket. */
  at: number;
};

export type SseStream = {
  status: number;
  headers: Headers;
  /** The body (parsed when JSON, e.g. a problem) when the answer is not an event stream; else undefined. */
  body: any;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Comments (`: ping`) received so far. */
  comments: string[];
  /** Resolves with every event once the body ends, breaks off, or the request was aborted. */
  ended: Promise<SseEvent[]>;
  /** Why the body broke off (e.g. the server died), when it did; null otherwise. */
  readonly broken: Error | null;
  /** The first event (already received or still to come) matching `predicate`; rejects at the end or after `ms`. */
  waitFor: (predicate: (event: SseEvent) => boolean, ms?: number) => Promise<SseEvent>;
  /** Takes the next event not yet taken (the next one of `type`, when given); rejects at the end or after `ms`. */
  next: (type?: string, ms?: number) => Promise<SseEvent>;
  /** Resolves once `count` token events were received. */
  tokens: (count: number, ms?: number) => Promise<SseEvent>;
  /** The text of the token events received so far. */
  text: () => string;
  /** Closes the connection like a closed browser tab; returns performance.now() just before. */
  abort: () => number;
};

type Waiter = { predicate: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void; fail: () => void };

const WAIT_MS = 10_000;

/**
 * Sends a request whose answer may be an event stream and reads it in the background, chunk by chunk as it arrives,
 * with eventsource-parser over the fetch body reader. Any other answer (a JSON problem) is read whole into `body`.
 */
export async function openSse(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<SseStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: controller.signal,
  });
  const contentType = response.headers.get('content-type') ?? '';
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<Waiter>();
  let finished = false;
  let broken: Error | null = null;
  let body: any;
  let ended: Promise<SseEvent[]>;

  if (!contentType.startsWith('text/event-stream') || !response.body) {
    const text = await response.text();
    body = /json/.test(contentType) && text ? JSON.parse(text) : text;
    finished = true;
    ended = Promise.resolve(events);
  } else {
    let chunkAt = 0;
    const parser = createParser({
      onEvent: ({ id, event, data }) => {
        const received: SseEvent = { id, event, data, json: parseJson(data), at: chunkAt };
        events.push(received);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(received)) {
            waiters.delete(waiter);
            waiter.resolve(received);
          }
        }
      },
      onComment: (comment) => comments.push(comment),
    });
    const reader = response.body.getReader();
    ended = (async () => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunkAt = performance.now();
          parser.feed(decoder.decode(value, { stream: true }));
        }
        parser.feed(decoder.decode());
      } catch (error) {
        if (!controller.signal.aborted) broken = error instanceof Error ? error : new Error(String(error));
      } finally {
        finished = true;
        for (const waiter of waiters) waiter.fail();
        waiters.clear();
      }
      return events;
    })();
  }

  const waitFor = (predicate: (event: SseEvent) => boolean, ms = WAIT_MS) => {
    const seen = events.find(predicate);
    if (seen) return Promise.resolve(seen);
    const missing = (why: string) =>
      new Error(
        `${why} without the awaited event (${response.status}); got ${JSON.stringify(events.map((e) => e.data))}`,
      );
    if (finished)
      return Promise.reject(
        missing(body === undefined ? 'the stream ended' : `the answer was ${JSON.stringify(body)}`),
      );
    return new Promise<SseEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(missing(`${ms} ms passed`));
      }, ms);
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        fail: () => {
          clearTimeout(timer);
          reject(missing('the stream ended'));
        },
      };
      waiters.add(waiter);
    });
  };
  let taken = 0;
  const tokenEvents = () => events.filter((e) => e.event === 'token');

  return {
    status: response.status,
    headers: response.headers,
    body,
    events,
    comments,
    ended,
    get broken() {
      return broken;
    },
    waitFor,
    async next(type, ms) {
      const from = taken;
      const event = await waitFor((e) => events.indexOf(e) >= from && (type === undefined || e.event === type), ms);
      taken = events.indexOf(event) + 1;
      return event;
    },
    tokens: (count, ms) => waitFor(() => tokenEvents().length >= count, ms),
    text: () =>
      tokenEvents()
        .map((e) => String(e.json.token))
        .join(''),
    abort: () => {
      const at = performance.now();
      controller.abort();
      return at;
    },
  };
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
