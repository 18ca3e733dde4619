import type { ServerResponse } from 'node:http';

export type SseMessage = { id?: string; event?: string; data: string };

export type SseWriter = {
  send: (message: SseMessage) => void;
  comment: (text: string) => void;
  close: () => void;
  readonly closed: boolean;
  /** Aborted when the client goes away or the stream is closed. */
  readonly signal: AbortSignal;
};

/** One Server-Sent Events message; multi-line data becomes several `data:` lines, as the spec says. */
export function formatSse({ id, event, data }: SseMessage): string {
  for (const [name, value] of [
    ['id', id],
    ['event', event],
  ] as const) {
    if (value !== undefined && /[\r\n]/.test(value)) throw new Error(`SSE ${name} must not contain CR or LF`);
  }
  let out = '';
  if (id !== undefined) out += `id: ${id}\n`;
  if (event !== undefined) out += `event: ${event}\n`;
  // JSON, what nearly every event carries, has no raw line breaks: no need to split it.
  if (!/[\r\n]/.test(data)) return `${out}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

const PING_MS = 15_000;

/**
 * Takes over a response for an event stream: headers sent at once, every message sent before any later work
 * (no Nagle delay, no compression, no proxy buffering), a `: ping` comment after 15 s of silence.
 */
export function openSse(response: ServerResponse, options: { pingMs?: number } = {}): SseWriter {
  const closing = new AbortController();
  response.socket?.setNoDelay(true);
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  response.flushHeaders();
  const pingMs = options.pingMs ?? PING_MS;
  let lastWrite = performance.now();
  let ping: NodeJS.Timeout | undefined;
  // One timer, moved only when it fires: writing a token never touches it.
  const schedule = (delay: number) => {
    ping = setTimeout(() => {
      const quiet = performance.now() - lastWrite;
      if (quiet >= pingMs) write(': ping\n\n');
      schedule(quiet >= pingMs ? pingMs : pingMs - quiet);
    }, delay);
  };
  // What one synchronous run wrote (the tokens of one llama.cpp read) goes out in one write and one packet, in a
  // microtask: before any work chained in promise callbacks after it (storing the answer) can hold it back, which
  // Node's own uncork on the next tick would not promise.
  let pending = '';
  const flush = () => {
    if (pending === '' || closing.signal.aborted) return;
    response.write(pending);
    pending = '';
    response.socket?.uncork();
  };
  const write = (text: string) => {
    if (closing.signal.aborted) return;
    if (pending === '') queueMicrotask(flush);
    pending += text;
    lastWrite = performance.now();
  };
  const gone = () => {
    clearTimeout(ping);
    closing.abort();
  };
  const close = () => {
    if (closing.signal.aborted) return;
    flush();
    gone();
    response.end();
  };
  response.on('close', gone);
  // The client may have left while the answer was being prepared.
  if (response.destroyed) gone();
  else schedule(pingMs);
  return {
    send: (message) => write(formatSse(message)),
    comment: (text) => write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`),
    close,
    get closed() {
      return closing.signal.aborted;
    },
    signal: closing.signal,
  };
}
