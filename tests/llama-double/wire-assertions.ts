import { expect } from 'vitest';
import type { RawExchange } from '../../tools/llama-double/raw-exchange.js';
import type { Recording } from '../support/llama-double.js';

/** The shape of a JSON value: keys in order and the kind of every value (arrays by their first element). */
export function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return { array: value.length === 0 ? 'empty' : shape(value[0]) };
  if (typeof value === 'object') return Object.entries(value).map(([key, inner]) => [key, shape(inner)]);
  return typeof value;
}

/** `comment`: the `:` keep-alive event of the modern server (sse_ping_interval), with an empty value. */
export type SseEvent = { field: string; value: string; json: unknown };

/** A body of llama.cpp's SSE: events of one `field: value` line (or a bare `:`) each, separated by a blank line. */
export function events(body: Buffer | string, lineEnding = '\n'): SseEvent[] {
  const text = body.toString();
  const separator = lineEnding + lineEnding;
  expect(text.endsWith(separator) || text === '').toBe(true);
  return text
    .split(separator)
    .slice(0, -1)
    .map((event) => {
      if (event === ':') return { field: 'comment', value: '', json: undefined };
      const match = /^(data|error): (.*)$/s.exec(event);
      expect(match, `not a single-line event: ${JSON.stringify(event)}`).not.toBeNull();
      const [, field = '', value = ''] = match ?? [];
      expect(value).not.toContain('\n');
      return { field, value, json: value === '[DONE]' ? '[DONE]' : parseOrUndefined(value) };
    });
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const contentOf = (list: SseEvent[]) =>
  list.map((e) => (e.json as any)?.choices?.[0]?.delta?.content ?? '').join('');

export const reasoningOf = (list: SseEvent[]) =>
  list.map((e) => (e.json as any)?.choices?.[0]?.delta?.reasoning_content ?? '').join('');

/** Same status line and headers, in the same order and spelling; Node's http adds only `Connection: keep-alive`. */
export function expectSameHead(generated: Recording, recorded: Recording): void {
  expect([generated.status, generated.statusText]).toEqual([recorded.status, recorded.statusText]);
  const expected = recorded.headers.map(([name, value]): [string, string] =>
    name === 'Content-Length' ? [name, String(generated.body.length)] : [name, value],
  );
  expect(generated.headers).toEqual([...expected, ['Connection', 'keep-alive']]);
}

/** A head as a modern capture has it, all of it (the request said `Connection: close`, as the captures' did). */
export function expectSameHeadAsCapture(generated: Recording, recorded: Recording): void {
  expect([generated.status, generated.statusText]).toEqual([recorded.status, recorded.statusText]);
  const expected = recorded.headers.map(([name, value]): [string, string] =>
    name === 'Content-Length' ? [name, String(generated.body.length)] : [name, value],
  );
  expect(generated.headers).toEqual(expected);
}

/** Every HTTP chunk of a stream carries exactly one whole event, as cpp-httplib writes them. */
export function expectOneEventPerChunk(exchange: RawExchange): void {
  const fromChunks = exchange.chunks.map((chunk) => chunk.data.toString());
  const written = (e: SseEvent) => (e.field === 'comment' ? ':\n\n' : `${e.field}: ${e.value}\n\n`);
  expect(fromChunks).toEqual(events(exchange.recording.body).map(written));
}

/** The shapes of a stream's events with runs of the same shape folded into one: its grammar, not its length. */
export function shapeRuns(list: SseEvent[]): unknown[] {
  const runs: unknown[] = [];
  for (const event of list) {
    const next = { field: event.field, shape: shape(event.json) };
    if (JSON.stringify(runs.at(-1)) !== JSON.stringify(next)) runs.push(next);
  }
  return runs;
}
