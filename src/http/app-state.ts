import type { EntityManager } from '@mikro-orm/knex';
import type { ParameterizedContext } from 'koa';
import type { Config } from '../config/config.js';
import type { Database } from '../db/connect-database.js';
import type { EventStoreOn } from '../event-store/append-to-stream.js';
import type { EventBus } from '../event-store/event-bus.js';
import type { LogFeed } from '../event-store/log-feed.js';
import type { ChatFlow } from '../chat/chat-flow.js';
import type { ChatSessions } from '../chat/chat-sessions.js';
import type { RemoteChat } from '../chat/remote-chat.js';
import type { SignalLink } from '../cluster/signals.js';
import type { ClientStreams } from './client-streams.js';
import type { StreamStateCache } from '../commands/stream-state-cache.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { LlamaClient } from '../llm/llama-client.js';
import type { LlmHealth } from '../llm/llm-health.js';
import type { Logger } from '../logger.js';
import type { Drain } from '../shutdown/drain.js';

/** What the composition root hands the HTTP layer. */
export type Services = {
  config: Config;
  db: Database;
  /** This process's commits, the moment they are committed. */
  bus: EventBus;
  /** The whole log as it grows, whichever worker or instance appended to it. */
  feed: LogFeed;
  logger: Logger;
  llmHealth: LlmHealth;
  llm: LlamaClient;
  /** This process's chat sessions: what a resume, a stop and a purge look up. */
  chat: ChatSessions;
  /** Answers a question: admission, the generation and how it ended (src/chat/chat-flow.ts). */
  chatFlow: ChatFlow;
  /** The answers being served, and a shutdown's drain of them. */
  drain: Drain;
  /** Chat sessions other workers or instances run. */
  remoteChat: RemoteChat;
  /** Signals to and from the other processes of this deployment. */
  link: SignalLink;
  /** Event streams open per client address. */
  clientStreams: ClientStreams;
  /** Folded states of recently used streams, for the command layer. */
  stateCache: StreamStateCache;
  /** The event store with every read model's projector (src/startup/event-stores.ts). */
  eventStoreOn: EventStoreOn;
  /** Documents indexed in the background, and retrieved for chats. */
  knowledge: Knowledge;
  now: () => Date;
  newId: () => string;
};

export type AppState = {
  services: Services;
  requestId: string;
  log: Logger;
  /** Request-scoped: one identity map per request. */
  em: EntityManager;
  /** The If-Match header when the route documents it; '' elsewhere, where it is ignored. */
  ifMatch: string;
};

export type AppContext = ParameterizedContext<AppState>;
