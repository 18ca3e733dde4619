import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { expect } from 'vitest';
import type { HttpClient } from '../support/http-client.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse-client.js';

type Json = Record<string, any>;

/** Chats through the app's HTTP API; the model's words are random, so callers look at shapes, never at text. */
export function answers(appUrl: string, api: HttpClient) {
  const chat = (body: Json): Promise<SseStream> => openSse(`${appUrl}/api/chat/stream`, { body });
  return {
    chat,
    async newConversation(): Promise<string> {
      const created = await api.post('/api/conversations', {});
      expect(created.status, created.text).toBe(201);
      return created.body.id as string;
    },
    /** Asks and reads the whole stream: its events, the start event's data and the last event. */
    async answered(conversation_id: string, message: string, extra: Json = {}) {
      const stream = await chat({ conversation_id, message, ...extra });
      expect(stream.status, JSON.stringify(stream.body)).toBe(200);
      const events = await stream.ended;
      return { events, start: events[0]!.json as Json, end: events.at(-1)! };
    },
    async message(id: string): Promise<Json> {
      const reply = await api.get(`/api/messages/${id}`);
      expect(reply.status, reply.text).toBe(200);
      return reply.body as Json;
    },
  };
}

export const textOf = (events: SseEvent[], type: 'token' | 'reasoning') =>
  events
    .filter((event) => event.event === type)
    .map((event) => event.json.token as string)
    .join('');

/** The chat event schema of the app's OpenAPI document, to check each event llama-server's answer became. */
export async function documentedChatEvent(api: HttpClient) {
  const doc = (await api.get('/openapi.json')).body as Json;
  return Compile(doc.paths['/api/chat/stream'].post.responses['200'].content['text/event-stream'].schema as TSchema);
}
