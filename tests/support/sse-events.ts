import { createParser } from 'eventsource-parser';

/** One server-sent event as the client parsed it; `at` is performance.now() when it was parsed. */
export type ReceivedEvent = { id: string | undefined; event: string | undefined; data: any; at: number };

export type EventStream = {
  status: number;
  headers: Headers;
  /** The JSON body when the answer is not an event stream (a problem), else undefined. */
  body: any;
  /** Every event received so far, in order. */
  events: ReceivedEvent[];
  /** Resolves with every event once the response body ends, breaks off, or the request was aborted. */
  ended: Promise<ReceivedEvent[]>;
  /** Why the body broke off (e.g. the server died), when it did; null otherwise. */
  readonly broken: Error | null;
  /** The first event (already received or still to come) matching `predicate`; rejects at the end or after `ms`. */
  waitFor: (predicate: (event: ReceivedEvent) => boolean, ms?: number) => Promise<ReceivedEvent>;
  /** The first event of this type. */
  next: (type: string, ms?: number) => Promise<ReceivedEvent>;
  /** Resolves once `count` token events were received. */
  tokens: (count: number, ms?: number) => Promise<ReceivedEvent>;
  /** The text of the token events received so far. */
  text: () => string;
  /** Closes the connection like a closed browser tab; returns performance.now() just before. */
  abort: () => number;
};

type Waiter = { predicate: (event: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void; fail: () => void };

const WAIT_MS = 10_000;

/**
 * Sends a request whose answer may be an event stream and reads it in the background with eventsource-parser
 * over the fetch body reader; any other answer is read whole as JSON (or text).
 */
export async function requestEvents(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<EventStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const waiters = new Set<Waiter>();
  let finished = false;
  let broken: Error | null = null;
  const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');

  let body: any;
  let ended: Promise<ReceivedEvent[]>;
  if (!isStream) {
    const text = await response.text();
    body = /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
    finished = true;
    ended = Promise.resolve(events);
  } else {
    const parser = createParser({
      onEvent: (message) => {
        const event: ReceivedEvent = {
          id: message.id,
          event: message.event,
          data: JSON.parse(message.data),
          at: performance.now(),
        };
        events.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(event)) {
            waiters.delete(waiter);
            waiter.resolve(event);
          }
        }
      },
    });
    ended = (async () => {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
        }
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

  const waitFor = (predicate: (event: ReceivedEvent) => boolean, ms = WAIT_MS) => {
    const seen = events.find(predicate);
    if (seen) return Promise.resolve(seen);
    const shown = () => JSON.stringify(events.map((e) => e.data));
    if (finished) return Promise.reject(new Error(`the stream ended without the awaited event; got ${shown()}`));
    return new Promise<ReceivedEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no awaited event within ${ms} ms; got ${shown()}`));
      }, ms);
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        fail: () => {
          clearTimeout(timer);
          reject(new Error(`the stream ended without the awaited event; got ${shown()}`));
        },
      };
      waiters.add(waiter);
    });
  };
  const tokenEvents = () => events.filter((e) => e.event === 'token');

  return {
    status: response.status,
    headers: response.headers,
    body,
    events,
    ended,
    get broken() {
      return broken;
    },
    waitFor,
    next: (type, ms) => waitFor((e) => e.event === type, ms),
    tokens: (count, ms) => waitFor(() => tokenEvents().length >= count, ms),
    text: () =>
      tokenEvents()
        .map((e) => String(e.data.token))
        .join(''),
    abort: () => {
      const at = performance.now();
      controller.abort();
      return at;
    },
  };
}
