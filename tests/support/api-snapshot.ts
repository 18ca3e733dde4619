import type { HttpClient } from './http-client.js';

export type ApiSnapshot = {
  events: { type: string; position: number }[];
  projects: { id: string; name: string }[];
  conversations: { id: string }[];
  /** The messages of every conversation that has any and whose messages the API shows, by conversation id. */
  messages: Record<string, unknown[]>;
  /** The documents of every project the API shows them of (not a deleted one), deleted documents too, by id. */
  documents: Record<string, unknown[] | null>;
};

type Conversation = { id: string; project_id: string | null; message_count: number; deleted_at: string | null };

/**
 * Everything the API shows, read through the API: the event log and every read model. A request that was refused
 * must leave it unchanged. Pages are the server's default size, so any configured limits are respected.
 */
export async function apiSnapshot(api: HttpClient): Promise<ApiSnapshot> {
  const events = await everyItem(api, (after) => `/api/events?after=${after}`, 'next_after');
  const projects = await everyItem(api, (cursor) => `/api/projects?include_deleted=true${cursor}`);
  const conversations = await everyItem(api, (cursor) => `/api/conversations?include_deleted=true${cursor}`);
  const deletedProjects = new Set(
    (projects as { id: string; deleted_at: string | null }[]).filter((p) => p.deleted_at !== null).map((p) => p.id),
  );
  const messages: Record<string, unknown[]> = {};
  for (const conversation of conversations as Conversation[]) {
    // The API hides the messages of a deleted conversation and of one in a deleted project.
    if (conversation.message_count === 0 || conversation.deleted_at !== null) continue;
    if (conversation.project_id !== null && deletedProjects.has(conversation.project_id)) continue;
    messages[conversation.id] = await everyItem(
      api,
      (cursor) => `/api/conversations/${conversation.id}/messages?${cursor.slice(1)}`,
    );
  }
  const documents: Record<string, unknown[] | null> = {};
  for (const project of projects as { id: string }[]) {
    // The API hides a deleted project's documents, as it hides its conversations' messages; a project row no event
    // made (a read model damaged on purpose) has none to show either: its documents answer 404.
    if (deletedProjects.has(project.id)) continue;
    const first = await api.get(`/api/projects/${project.id}/documents?include_deleted=true&limit=1`);
    if (first.status === 404) {
      documents[project.id] = null;
      continue;
    }
    documents[project.id] = await everyItem(
      api,
      (cursor) => `/api/projects/${project.id}/documents?include_deleted=true${cursor}`,
    );
  }
  return {
    events: events as ApiSnapshot['events'],
    projects: projects as ApiSnapshot['projects'],
    conversations: conversations as ApiSnapshot['conversations'],
    messages,
    documents,
  };
}

async function everyItem(
  api: HttpClient,
  page: (next: string) => string,
  nextField: 'next_cursor' | 'next_after' = 'next_cursor',
): Promise<unknown[]> {
  const items: unknown[] = [];
  let next = nextField === 'next_after' ? '0' : '';
  for (;;) {
    const reply = await api.get(page(next));
    if (reply.status !== 200) throw new Error(`${page(next)} answered ${reply.status}: ${reply.text}`);
    items.push(...(reply.body.items as unknown[]));
    if (nextField === 'next_after') {
      if (reply.body.items.length === 0) return items;
      next = String(reply.body.next_after);
    } else {
      if (reply.body.next_cursor === null) return items;
      next = `&cursor=${encodeURIComponent(reply.body.next_cursor)}`;
    }
  }
}
