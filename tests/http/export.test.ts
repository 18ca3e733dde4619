import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { messagesOf, richConversation } from '../support/rich-conversation.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;
let services: Services;
let url: string;

beforeAll(async () => {
  const server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
  url = server.url;
});

/** The body of an answer as bytes (zip archives). */
async function download(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Runs `use` on the bytes saved as a file. */
function asFile<T>(bytes: Buffer, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'export-zip-'));
  try {
    const file = join(dir, 'export.zip');
    writeFileSync(file, bytes);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens a zip with Python's zipfile (a reader that is not ours): its CRC check, then each file's name and text. */
function unzipped(bytes: Buffer): { bad: string | null; files: { name: string; text: string }[] } {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'files = [{"name": i.filename, "text": z.read(i).decode("utf-8")} for i in z.infolist()]',
    'print(json.dumps({"bad": bad, "files": files}))',
  ].join('\n');
  return asFile(bytes, (file) => JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })));
}

describe('GET /api/conversations/:id/export', () => {
  it('downloads every message of every branch as JSON with its tree, reactions, counts, models, timings, statuses and times', async () => {
    const rich = await richConversation(services, api);
    const reply = await api.get(`/api/conversations/${rich.id}/export`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="vector-clocks.json"');
    const conversation = (await api.get(`/api/conversations/${rich.id}`)).body;
    const listed = await messagesOf(api, rich.id);
    const document = reply.body;
    expect(document).toMatchObject({ format: 'gpt-oss-assistant-export', version: 1, project: null });
    expect(new Date(document.exported_at).toISOString()).toBe(document.exported_at);
    expect(document.conversations).toHaveLength(1);
    const exported = document.conversations[0];
    expect(exported).toEqual({
      id: rich.id,
      title: 'Vector clocks',
      project_id: null,
      metadata: { pinned: true, tags: ['distributed'] },
      settings: {},
      created_at: conversation.created_at,
      updated_at: conversation.updated_at,
      current_leaf_id: rich.followUpAnswer,
      messages: expect.any(Array),
    });
    // Every message as the API shows it with its reasoning, plus when it last changed; in creation order.
    const withReasoning = (await api.get(`/api/conversations/${rich.id}/messages?limit=500&include_reasoning=true`))
      .body.items;
    expect(withReasoning.map((m: any) => m.id)).toEqual(listed.map((m: any) => m.id));
    expect(exported.messages.map(({ updated_at: _, ...message }: any) => message)).toEqual(
      withReasoning.map(({ conversation_id: _, has_reasoning: _has, reasoning_ms: _ms, ...message }: any) => message),
    );
    expect(exported.messages.map((m: any) => m.reasoning)).toEqual(withReasoning.map((m: any) => m.reasoning));
    expect(exported.messages.filter((m: any) => m.reasoning !== null)).toHaveLength(3);
    const byId = new Map(exported.messages.map((m: any) => [m.id, m]));
    expect(byId.get(rich.answer)).toMatchObject({
      parent_message_id: rich.question,
      status: 'complete',
      finish_reason: 'stop',
      reaction: 'thumbs_up',
      token_count: 12,
      model_name: 'tiny-model.gguf',
      completion_time_ms: 42,
      metadata: { timings: { prompt_n: 5, prompt_ms: 1.5, predicted_n: 12, predicted_ms: 30 } },
    });
    expect(byId.get(rich.failed)).toMatchObject({
      parent_message_id: rich.question,
      status: 'failed',
      content: 'A list',
      metadata: { temperature: 1, error: 'llama.cpp went away', error_type: 'llm_unavailable' },
    });
    expect(byId.get(rich.followUp)).toMatchObject({ parent_message_id: rich.answer, reaction: 'thumbs_down' });
    expect(byId.get(rich.cancelled)).toMatchObject({ status: 'cancelled', finish_reason: 'cancelled' });
    expect(byId.get(rich.followUpAnswer)).toMatchObject({ model_name: 'other-model.gguf', token_count: 9 });
    for (const message of exported.messages) expect(message.updated_at >= message.created_at).toBe(true);
  });

  it('downloads the branch shown as Markdown: title, each message under its role, time and model, reasoning folded, no other branch', async () => {
    const rich = await richConversation(services, api);
    const reply = await api.get(`/api/conversations/${rich.id}/export?format=markdown`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="vector-clocks.md"');
    const markdown = reply.text;
    const listed = new Map((await messagesOf(api, rich.id)).map((m) => [m.id, m]));
    const time = (id: string) =>
      `${listed.get(id).created_at.slice(0, 10)} ${listed.get(id).created_at.slice(11, 19)} UTC`;
    expect(markdown.startsWith('# Vector clocks\n\n')).toBe(true);
    expect(markdown).toContain(`- Conversation: \`${rich.id}\``);
    expect(markdown).toContain('- Messages: 4 on this branch, 6 in all');
    const order = [
      `## User · ${time(rich.question)}\n\nWhat is a vector clock?`,
      `## Assistant (tiny-model.gguf) · ${time(rich.answer)}\n\n` +
        '<details>\n<summary>Reasoning</summary>\n\nThe user asks what a vector clock is.\n\n</details>\n\n' +
        'A list of counters.\n\n_Reaction: 👍_',
      `## User · ${time(rich.followUp)}\n\nAn example?\n\n_Reaction: 👎_`,
      `## Assistant (other-model.gguf) · ${time(rich.followUpAnswer)}\n\nA sends [1,0]; B ticks to [1,1].`,
    ].map((part) => markdown.indexOf(part));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The failed and the cancelled answers are on other branches.
    expect(markdown).not.toContain('llama.cpp went away');
    expect(markdown).not.toContain('Half an answer');
  });

  it('names the file after the title in any script, keeps an ASCII name for old clients, and marks failures in Markdown', async () => {
    const created = await api.post('/api/conversations', { title: 'Überblick: 日本語 / "quotes"?' });
    const id = created.body.id;
    const { userId } = await exchange(services, id, 'Hallo', 'Antwort');
    const reply = await api.get(`/api/conversations/${id}/export?format=markdown`);
    expect(reply.headers.get('content-disposition')).toBe(
      `attachment; filename="conversation-${id}.md"; filename*=UTF-8''${encodeURIComponent('überblick-日本語-quotes.md')}`,
    );
    expect(reply.text).toContain('# Überblick: 日本語 / "quotes"?');
    expect(reply.text).not.toContain(userId);
  });

  it('answers 404 for an unknown or deleted conversation and 422 for an unknown format', async () => {
    expect((await api.get(`/api/conversations/${uuidv7()}/export`)).status).toBe(404);
    const gone = (await api.post('/api/conversations', { title: 'Gone' })).body.id;
    expect((await api.delete(`/api/conversations/${gone}`)).status).toBe(204);
    expect((await api.get(`/api/conversations/${gone}/export`)).status).toBe(404);
    const id = (await api.post('/api/conversations', { title: 'Kept' })).body.id;
    const refused = await api.get(`/api/conversations/${id}/export?format=pdf`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('query/format');
  });
});

describe('GET /api/projects/:id/export', () => {
  it("downloads the project's live conversations as one JSON document, with the project and nothing of other projects", async () => {
    const project = (await api.post('/api/projects', { name: 'Clocks', description: 'Time', metadata: { a: 1 } })).body;
    const other = (await api.post('/api/projects', { name: 'Other' })).body;
    const first = await richConversation(services, api, { project_id: project.id });
    const second = (await api.post('/api/conversations', { title: 'Empty', project_id: project.id })).body;
    const deleted = (await api.post('/api/conversations', { title: 'Deleted', project_id: project.id })).body;
    expect((await api.delete(`/api/conversations/${deleted.id}`)).status).toBe(204);
    await richConversation(services, api, { project_id: other.id });

    const reply = await api.get(`/api/projects/${project.id}/export`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="clocks.json"');
    expect(reply.body.project).toEqual({
      id: project.id,
      name: 'Clocks',
      description: 'Time',
      metadata: { a: 1 },
      settings: {},
      created_at: project.created_at,
      updated_at: project.updated_at,
    });
    expect(reply.body.conversations.map((c: any) => c.id)).toEqual([first.id, second.id]);
    expect(reply.body.conversations[0].messages).toHaveLength(6);
    expect(reply.body.conversations[1]).toMatchObject({ messages: [], current_leaf_id: null });
    const single = (await api.get(`/api/conversations/${first.id}/export`)).body.conversations[0];
    expect(reply.body.conversations[0]).toEqual(single);
  });

  it('downloads a zip of Markdown files, one per conversation, that a real unzip opens, with safe unique names', async () => {
    const project = (await api.post('/api/projects', { name: 'Notes: 2024/25' })).body;
    const titles = ['Same title', 'same TITLE', '../../etc/passwd', 'こんにちは 世界', null, 'CON', '...'];
    const ids: string[] = [];
    for (const title of titles) {
      const id = (await api.post('/api/conversations', { title, project_id: project.id })).body.id;
      await exchange(services, id, `Question in ${title}`, `Answer in ${title}`);
      ids.push(id);
    }
    const reply = await download(`/api/projects/${project.id}/export?format=markdown`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/zip');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="notes-2024-25.zip"');
    const { bad, files } = unzipped(reply.bytes);
    expect(bad).toBeNull();
    expect(files.map((f) => f.name)).toEqual([
      'same-title.md',
      'same-title-2.md',
      'etc-passwd.md',
      'こんにちは-世界.md',
      `conversation-${ids[4]}.md`,
      'con-file.md',
      `conversation-${ids[6]}.md`,
    ]);
    for (const [i, file] of files.entries()) {
      const single = await api.get(`/api/conversations/${ids[i]}/export?format=markdown`);
      // The same Markdown as the conversation's own export, but for the export time.
      expect(file.text.replace(/- Exported: .*/, '')).toBe(single.text.replace(/- Exported: .*/, ''));
      expect(file.text).toContain(`Answer in ${titles[i]}`);
    }
    // Info-ZIP's unzip tests every file's CRC too (it exits non-zero on any error).
    expect(asFile(reply.bytes, (file) => execFileSync('unzip', ['-tq', file], { encoding: 'utf8' }))).toMatch(
      /No errors detected/,
    );
  });

  it('answers an empty zip for a project without conversations, and 404 for an unknown or deleted project', async () => {
    const empty = (await api.post('/api/projects', { name: 'Empty' })).body;
    const reply = await download(`/api/projects/${empty.id}/export?format=markdown`);
    expect(reply.status).toBe(200);
    expect(unzipped(reply.bytes)).toEqual({ bad: null, files: [] });
    expect((await api.get(`/api/projects/${uuidv7()}/export`)).status).toBe(404);
    expect((await api.delete(`/api/projects/${empty.id}`)).status).toBe(204);
    expect((await api.get(`/api/projects/${empty.id}/export`)).status).toBe(404);
  });
});
