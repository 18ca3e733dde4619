import type { HttpClient } from './http-client.js';

export type LoggedEvent = { position: number; stream_id: string; stream_version: number; type: string };

/** Every event of the log, through GET /api/events, page by page. */
export async function readWholeLog(api: HttpClient): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (let after = 0; ;) {
    const page = await api.get(`/api/events?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`GET /api/events answered ${page.status}: ${page.text}`);
    events.push(...page.body.items);
    if (page.body.items.length === 0) return events;
    after = page.body.next_after;
  }
}

/** The versions of each stream, which must run 1, 2, 3... without a gap or a repeat. */
export function versionsByStream(events: LoggedEvent[]): Map<string, number[]> {
  const streams = new Map<string, number[]>();
  for (const event of events)
    streams.set(event.stream_id, [...(streams.get(event.stream_id) ?? []), event.stream_version]);
  return streams;
}
