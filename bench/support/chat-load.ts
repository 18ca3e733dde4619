const CHATS_PER_CONVERSATION = 20;

/**
 * Posts `chats` questions (each stores a question and its answer), `concurrency` at a time, a new conversation every
 * 20 chats so prompts stay short. Returns the conversation ids.
 */
export async function chatMany(url: string, chats: number, concurrency: number): Promise<string[]> {
  const conversations: string[] = [];
  let next = 0;
  const conversation = async () => {
    const id = await newConversation(url);
    conversations.push(id);
    return id;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let id = '';
      let asked = 0;
      while (next < chats) {
        next++;
        if (asked++ % CHATS_PER_CONVERSATION === 0) id = await conversation();
        await chat(url, id, `question ${next}`);
      }
    }),
  );
  return conversations;
}

export async function chat(url: string, conversationId: string, message: string): Promise<string> {
  const reply = await fetch(`${url}/api/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversation_id: conversationId, message }),
  });
  const text = await reply.text();
  if (reply.status !== 200 || !text.includes('event: complete')) {
    throw new Error(`a chat failed: ${reply.status} ${text.slice(0, 300)}`);
  }
  return text;
}

export async function newConversation(url: string): Promise<string> {
  const created = await fetch(`${url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (created.status !== 201) throw new Error(`creating a conversation answered ${created.status}`);
  return ((await created.json()) as { id: string }).id;
}
