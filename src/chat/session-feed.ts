import type { ChatSession } from './chat-session.js';

/** What it takes to stream a session to a client: a local session, or one relayed from another process. */
export type SessionFeed = Pick<ChatSession, 'subscribe' | 'final'>;
