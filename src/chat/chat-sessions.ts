import { createChatSession, type ChatSession } from './chat-session.js';

export type ChatSessions = {
  create: (fields: { id: string; conversation_id: string; message_id: string }) => ChatSession;
  get: (sessionId: string) => ChatSession | undefined;
  byMessage: (messageId: string) => ChatSession | undefined;
  /** Sessions still generating, for a graceful shutdown. */
  running: () => ChatSession[];
  /** Drops the finished sessions of erased conversations: their tokens are kept for replay otherwise. */
  forget: (conversationIds: string[]) => void;
  /**
   * Cancels every running session, and every session created from now on: a chat admitted just before a
   * shutdown's drain began may create its session only after the drain's deadline.
   */
  cancelAll: (reason: string) => void;
};

/** Finished sessions stay this long so a reloaded page can still replay the end of its answer. */
const KEEP_FINISHED_MS = 10 * 60_000;

/** `detachGraceMs`: CHAT_DETACH_GRACE_MS, how long an answer nobody listens to goes on (see createChatSession). */
export function createChatSessions(options: { keepFinishedMs?: number; detachGraceMs?: number } = {}): ChatSessions {
  const sessions = new Map<string, ChatSession>();
  const keep = options.keepFinishedMs ?? KEEP_FINISHED_MS;
  let cancelled: Error | undefined;
  const running = () => [...sessions.values()].filter((s) => !s.done);
  return {
    create(fields) {
      const session = createChatSession(fields, {
        detachGraceMs: options.detachGraceMs,
        onFinish: () => setTimeout(() => sessions.delete(session.id), keep).unref(),
      });
      sessions.set(session.id, session);
      if (cancelled) session.abort.abort(cancelled);
      return session;
    },
    get: (id) => sessions.get(id),
    byMessage: (messageId) => [...sessions.values()].find((s) => s.message_id === messageId),
    running,
    forget(conversationIds) {
      const erased = new Set(conversationIds);
      for (const [id, session] of sessions)
        if (session.done && erased.has(session.conversation_id)) sessions.delete(id);
    },
    cancelAll(reason) {
      cancelled ??= new Error(reason);
      for (const session of running()) session.abort.abort(cancelled);
    },
  };
}
