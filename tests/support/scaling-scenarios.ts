import { expect } from 'vitest';
import { httpClient } from './http-client.js';
import type { PinnedClient } from './pinned-client.js';
import { readWholeLog, versionsByStream } from './read-log.js';
import { openSse } from './sse-client.js';

/** Checks shared by the workers (node:cluster) and the instances (several servers on PostgreSQL) tests. */

/** The stop bound of the scale-out issue: from the stop request to the `error` event on the owner's stream. */
export const CROSS_PROCESS_STOP_MS = 500;

/**
 * `writers` commands at once, spread over `urls`, on one conversation and on new ones: renames without If-Match
 * (decided again after a clash), renames with a stale If-Match (exactly one can win), and creations. Returns
 * each answer; asserts nothing.
 */
export async function concurrentCommands(urls: string[], conversationId: string, writers: number) {
  return Promise.all(
    Array.from({ length: writers }, async (_, i) => {
      const api = httpClient(urls[i % urls.length]!);
      const kind = (['rename', 'rename-if-match', 'create'] as const)[i % 3]!;
      const reply =
        kind === 'create'
          ? await api.post('/api/conversations', { title: `created ${i}` })
          : await api.patch(
              `/api/conversations/${conversationId}`,
              { title: `renamed ${i}` },
              kind === 'rename-if-match' ? { 'If-Match': 'W/"1"' } : {},
            );
      return { kind, status: reply.status, text: reply.text };
    }),
  );
}

/** Every command succeeded or met a conflict, never a 5xx; the log holds exactly the successes' events. */
export async function expectConsistentAfterConcurrentCommands(
  url: string,
  conversationId: string,
  answers: Awaited<ReturnType<typeof concurrentCommands>>,
): Promise<void> {
  for (const answer of answers) {
    expect([200, 201, 409, 412], `${answer.kind}: ${answer.status} ${answer.text}`).toContain(answer.status);
    expect(answer.text).not.toMatch(/SQLITE_BUSY|database is locked/i);
  }
  // With a stale If-Match exactly one rename may win (if it came before every plain rename), or none.
  const ifMatchWins = answers.filter((a) => a.kind === 'rename-if-match' && a.status === 200).length;
  expect(ifMatchWins).toBeLessThanOrEqual(1);
  const renamed = answers.filter((a) => a.kind !== 'create' && a.status === 200).length;
  const created = answers.filter((a) => a.kind === 'create' && a.status === 201).length;
  expect(created).toBe(answers.filter((a) => a.kind === 'create').length);

  const log = await readWholeLog(httpClient(url));
  expect(log).toHaveLength(1 + renamed + created);
  expect(new Set(log.map((e) => e.position)).size).toBe(log.length);
  for (const [stream, versions] of versionsByStream(log)) {
    expect(versions, stream).toEqual(versions.map((_, i) => i + 1));
  }
  expect(versionsByStream(log).get(conversationId)).toHaveLength(1 + renamed);
}

export async function newConversation(url: string): Promise<string> {
  const created = await httpClient(url).post('/api/conversations', {});
  expect(created.status).toBe(201);
  return created.body.id;
}

/** Opens a chat on `url`; resolves once its first tokens arrived, with the stream and who serves it. */
export async function chatUnderWay(url: string, conversationId: string, tokens = 3) {
  const stream = await openSse(`${url}/api/chat/stream`, {
    body: { conversation_id: conversationId, message: 'Tell me a long story' },
  });
  expect(stream.status).toBe(200);
  const owner = stream.headers.get('x-instance-id')!;
  const start = (await stream.next('start')).json as { session_id: string; message_id: string };
  await stream.tokens(tokens);
  return { stream, owner, ...start };
}

/** A stop sent to `stopper` (another process than the chat's) cancels it within CROSS_PROCESS_STOP_MS. */
export async function expectStopFromAnotherProcess(
  chat: Awaited<ReturnType<typeof chatUnderWay>>,
  stopper: PinnedClient,
  readerUrl: string,
): Promise<void> {
  expect(stopper.instanceId).not.toBe(chat.owner);
  const sentAt = performance.now();
  const stop = await stopper.request('POST', '/api/chat/stop', { session_id: chat.session_id });
  expect(stop.status).toBe(200);
  expect(stop.body).toEqual({ stopped: true });
  const error = await chat.stream.waitFor((e) => e.event === 'error', 5_000);
  expect(error.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
  expect(error.at - sentAt).toBeLessThan(CROSS_PROCESS_STOP_MS);
  const stored = await httpClient(readerUrl).get(`/api/messages/${chat.message_id}`);
  expect(stored.body).toMatchObject({ status: 'cancelled', content: chat.stream.text() });
}

/**
 * A resume sent to `resumer` (another process than the chat's) with Last-Event-ID replays exactly the events after
 * it and follows the answer to its `complete` event; together with what the first client read, the whole answer.
 */
export async function expectResumeOnAnotherProcess(
  chat: Awaited<ReturnType<typeof chatUnderWay>>,
  resumer: PinnedClient,
  expectedText: string,
): Promise<void> {
  expect(resumer.instanceId).not.toBe(chat.owner);
  const seen = chat.stream.events.length;
  const lastId = Number(chat.stream.events.at(-1)!.id);
  const resumed = await resumer.events(`/api/chat/stream/${chat.session_id}`, { 'Last-Event-ID': String(lastId) });
  expect(resumed.map((e) => Number(e.id))).toEqual(resumed.map((_, i) => lastId + i + 1));
  expect(resumed.at(-1)?.event).toBe('complete');
  const first = await chat.stream.ended;
  expect(first.at(-1)?.event).toBe('complete');
  // The first client, still connected, read the same events: the resumed ones are its tail.
  expect(resumed.map((e) => e.json)).toEqual(first.slice(seen).map((e) => e.json));
  const text = first
    .filter((e) => e.event === 'token')
    .map((e) => e.json.token as string)
    .join('');
  expect(text).toBe(expectedText);
}

/**
 * The chat's client leaves (a page reload); `reloaded`, another process than the chat's, finds the answer on the
 * conversation (`generating`) and its resume, without Last-Event-ID, gets every event to `complete`: the whole answer.
 */
export async function expectReloadOnAnotherProcess(
  chat: Awaited<ReturnType<typeof chatUnderWay>>,
  reloaded: PinnedClient,
  conversationId: string,
  expectedText: string,
): Promise<void> {
  expect(reloaded.instanceId).not.toBe(chat.owner);
  chat.stream.abort();
  await chat.stream.ended;
  const conversation = await reloaded.request('GET', `/api/conversations/${conversationId}`);
  expect(conversation.body.generating).toMatchObject({ session_id: chat.session_id, message_id: chat.message_id });
  const events = await reloaded.events(`/api/chat/stream/${chat.session_id}`);
  expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)?.event).toBe('complete');
  const text = events
    .filter((e) => e.event === 'token')
    .map((e) => e.json.token as string)
    .join('');
  expect(text).toBe(expectedText);
  const stored = await reloaded.request('GET', `/api/messages/${chat.message_id}`);
  expect(stored.body).toMatchObject({ status: 'complete', content: text });
}

/**
 * Polls the answer's message until it is no longer streaming; returns it. A kept-alive connection of this process
 * to a worker that was killed fails once ("other side closed"); the next poll goes on a new connection.
 */
export async function settledMessage(url: string, messageId: string, withinMs: number): Promise<any> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const reply = await httpClient(url)
      .get(`/api/messages/${messageId}`)
      .catch((error: unknown) => {
        if (Date.now() > deadline) throw error;
        return null;
      });
    if (reply && (reply.body?.status !== 'streaming' || Date.now() > deadline)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid a server process logged with its `listening` line, for the instance with this id. */
export function pidOf(logs: Record<string, unknown>[], instanceId: string): number {
  const line = logs.find((log) => log.msg === 'listening' && log.instance === instanceId);
  if (typeof line?.pid !== 'number') throw new Error(`no listening line for instance ${instanceId}`);
  return line.pid;
}
