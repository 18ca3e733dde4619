import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One Server-Sent Event as a real SSE parser read it, with its JSON data and when it arrived. */
export type SseEvent = {
  id: string | undefined;
  event: string | undefined;
  data: string;
  json: any;
  /** performance.now() when the chunk that completed the event was read from the socket. */
  at: number;
};

export type SseStream = {
  status: number;
  headers: Headers;
  /** The parsed JSON body when the server answered something other than an event stream (a problem). */
  body: any;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Comments (`: ping`) received so far. */
  comments: string[];
  /** The next event not yet taken with next(); null once the stream ended without more. */
  next: () => Promise<SseEvent | null>;
  /** Takes events with next() until one of this type (returned), failing when the stream ends first. */
  until: (type: string) => Promise<SseEvent>;
  /** Resolves with every event once the server ended the stream. */
  ended: Promise<SseEvent[]>;
  /** Closes the connection from the client side. */
  close: () => void;
};

/**
 * Opens an HTTP request answered with text/event-stream and parses the body with eventsource-parser, chunk by
 * chunk, as it arrives. A non-stream answer (a JSON problem) is read whole into `body`.
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
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const close = () => controller.abort();
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream') || !response.body) {
    const text = await response.text();
    const body: unknown = /json/.test(contentType) && text ? JSON.parse(text) : text;
    return {
      status: response.status,
      headers: response.headers,
      body,
      events,
      comments,
      next: async () => null,
      until: async (type) => {
        throw new Error(`no ${type} event: the answer was ${response.status} ${text}`);
      },
      ended: Promise.resolve(events),
      close,
    };
  }

  let taken = 0;
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let chunkAt = 0;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({
        id: message.id,
        event: message.event,
        data: message.data,
        json: parseJson(message.data),
        at: chunkAt,
      });
      notify();
    },
    onComment: (comment) => comments.push(comment),
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunkAt = performance.now();
        parser.feed(decoder.decode(value, { stream: true }));
      }
      parser.feed(decoder.decode());
    } catch {
      // Closed by the client (close()) or reset by the server: the events read so far stand.
    } finally {
      finished = true;
      notify();
    }
    return events;
  })();

  async function next(): Promise<SseEvent | null> {
    while (taken >= events.length && !finished) await new Promise<void>((resolve) => (wake = resolve));
    return taken < events.length ? events[taken++]! : null;
  }

  return {
    status: response.status,
    headers: response.headers,
    body: undefined,
    events,
    comments,
    next,
    async until(type) {
      for (;;) {
        const event = await next();
        if (!event) throw new Error(`the stream ended before a ${type} event: ${JSON.stringify(events)}`);
        if (event.event === type) return event;
      }
    },
    ended,
    close,
  };
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
