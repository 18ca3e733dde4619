import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSse, openSse, type SseWriter } from '../../src/http/sse/sse-writer.js';

describe('formatSse', () => {
  it('writes id, event and one data line, ended by a blank line', () => {
    expect(formatSse({ id: '7', event: 'token', data: '{"a":1}' })).toBe('id: 7\nevent: token\ndata: {"a":1}\n\n');
  });

  it('splits multi-line data into several data lines, whatever the line ending', () => {
    expect(formatSse({ data: 'one\ntwo\r\nthree\rfour' })).toBe('data: one\ndata: two\ndata: three\ndata: four\n\n');
  });

  it('refuses CR or LF in an event name or id, which would forge other fields', () => {
    expect(() => formatSse({ event: 'token\ndata: x', data: '' })).toThrow(/CR or LF/);
    expect(() => formatSse({ id: '1\r', data: '' })).toThrow(/CR or LF/);
  });
});

describe('openSse', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  async function serve(onOpen: (writer: SseWriter) => void, pingMs?: number): Promise<string> {
    const server = createServer((_req, res) => onOpen(openSse(res, { pingMs })));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function readAll(url: string): Promise<{ headers: Headers; events: EventSourceMessage[]; comments: string[] }> {
    const response = await fetch(url);
    const events: EventSourceMessage[] = [];
    const comments: string[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    return { headers: response.headers, events, comments };
  }

  it('sends what one synchronous run wrote in one write, before any work chained in promise callbacks', async () => {
    let writesAfterSends: number | undefined;
    let inChainedWork: { writes: number; corked: number; queued: number } | undefined;
    const server = createServer((_req, res) => {
      let writes = 0;
      const write = res.write.bind(res) as (chunk: string) => boolean;
      res.write = ((chunk: string) => {
        writes++;
        return write(chunk);
      }) as typeof res.write;
      const writer = openSse(res);
      writer.send({ id: '1', event: 'token', data: 'one' });
      writer.send({ id: '2', event: 'token', data: 'two' });
      writesAfterSends = writes;
      void Promise.resolve().then(() => {
        const socket = res.socket!;
        inChainedWork = { writes, corked: socket.writableCorked, queued: socket.writableLength };
        writer.close();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { events } = await readAll(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(events.map((e) => e.data)).toEqual(['one', 'two']);
    expect(writesAfterSends).toBe(0);
    expect(inChainedWork).toEqual({ writes: 1, corked: 0, queued: 0 });
  });

  it('sends event-stream headers at once and each message as a parser reads it', async () => {
    const url = await serve((writer) => {
      writer.send({ id: '1', event: 'token', data: 'multi\nline' });
      writer.send({ id: '2', event: 'complete', data: '{}' });
      writer.close();
    });
    const { headers, events } = await readAll(url);
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(headers.get('cache-control')).toMatch(/no-cache/);
    expect(headers.get('x-accel-buffering')).toBe('no');
    expect(events).toEqual([
      { id: '1', event: 'token', data: 'multi\nline' },
      { id: '2', event: 'complete', data: '{}' },
    ]);
  });

  it('sends a ping comment when nothing else was sent for the ping interval', async () => {
    const url = await serve((writer) => setTimeout(() => writer.close(), 130), 50);
    const { comments } = await readAll(url);
    expect(comments.filter((c) => c.trim() === 'ping').length).toBeGreaterThanOrEqual(1);
  });

  it('aborts its signal when the client goes away', async () => {
    let opened: SseWriter | undefined;
    const url = await serve((writer) => {
      opened = writer;
    });
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    expect(response.status).toBe(200);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(opened?.closed).toBe(true);
    expect(opened?.signal.aborted).toBe(true);
  });
});
