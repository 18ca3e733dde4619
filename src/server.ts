import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.js';
import { openDatabase } from './startup/open-database.js';
import { startLiveness } from './cluster/liveness.js';
import { openLink } from './cluster/open-link.js';
import { announceInstance, onSiblingGone } from './cluster/worker-messages.js';
import { createRemoteChat } from './chat/remote-chat.js';
import { serveRemoteChat } from './chat/serve-remote-chat.js';
import { createEventBus } from './event-store/event-bus.js';
import { createLogFeed } from './event-store/log-feed.js';
import type { Services } from './http/app-state.js';
import { createApp } from './http/app.js';
import { createClientStreams } from './http/client-streams.js';
import { answerClientErrors } from './http/client-errors.js';
import { uuidv7 } from './ids.js';
import { createEventStores } from './startup/event-stores.js';
import { createChatFlow } from './chat/chat-flow.js';
import { createPromptOverhead } from './chat/prompt-overhead.js';
import { createChatSessions } from './chat/chat-sessions.js';
import { createStreamStateCache } from './commands/stream-state-cache.js';
import type { Survivors } from './chat/mark-interrupted.js';
import { sweepAbandoned } from './chat/sweep-abandoned.js';
import { startAutoTitle } from './chat/auto-title.js';
import { createGenerationSlots } from './chat/generation-slots.js';
import { createTokenCounter } from './chat/token-counter.js';
import { createLlamaClient } from './llm/llama-client.js';
import { createLlmHealth } from './llm/llm-health.js';
import { startKnowledge } from './knowledge/knowledge.js';
import { createLogger } from './logger.js';
import { createDrain } from './shutdown/drain.js';
import { stopServer } from './shutdown/stop-server.js';

export type RunningServer = {
  url: string;
  server: Server;
  services: Services;
  /** Stops gracefully: running answers get `config.shutdownTimeoutMs` to finish, the rest are cancelled. */
  close: () => Promise<void>;
  /** During a close: cancels the answers still running at once instead of waiting. */
  hurry: () => void;
};

/** Composition root: wires the database, bus, clock, ids and the other processes into the app and listens. */
export async function startServer(
  config: Config,
  overrides: Partial<Pick<Services, 'now' | 'newId'>> = {},
): Promise<RunningServer> {
  const instanceId = uuidv7();
  const logger = createLogger(config.logLevel).child({ instance: instanceId });
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const db = await openDatabase(config.databaseUrl, (message) => logger.info(message));
    cleanups.push(() => db.close());
    const link = await openLink(config.databaseUrl, instanceId, logger);
    cleanups.push(() => link.close());
    const liveness = await startLiveness(db, config.databaseUrl, instanceId, logger, { alone: !link.hasPeers });
    cleanups.push(() => liveness.stop());
    const chat = createChatSessions({ detachGraceMs: config.chatDetachGraceMs });
    const drain = createDrain(() => chat.cancelAll('the server is shutting down'), logger);
    const llm = createLlamaClient(config.llmApiUrl, {
      firstTokenTimeoutMs: config.llmTimeoutMs,
      idleTimeoutMs: config.llmIdleTimeoutMs,
    });
    const bus = createEventBus();
    const now = overrides.now ?? (() => new Date());
    const eventStoreOn = createEventStores(bus, now);
    const feed = createLogFeed({ em: db.em, bus, link, logger });
    cleanups.push(() => feed.close());
    const store = () => eventStoreOn(db.em());
    const stateCache = createStreamStateCache();
    const newId = overrides.newId ?? (() => uuidv7());
    const knowledge = startKnowledge({ config, store, holder: instanceId, newId, logger });
    cleanups.push(() => knowledge.stop());
    const chatFlow = createChatFlow({
      drain,
      slots: createGenerationSlots(config.llmMaxQueue),
      liveness,
      sessions: chat,
      llm,
      tokens: createTokenCounter(llm.countTokens),
      store,
      stateCache,
      maxConcurrency: config.llmMaxConcurrency,
      overhead: createPromptOverhead(),
      answerReserve: config.answerReserveTokens,
      knowledge,
    });
    const services: Services = {
      config,
      db,
      bus,
      feed,
      logger,
      llmHealth: createLlmHealth(config.llmApiUrl),
      llm,
      chat,
      chatFlow,
      drain,
      link,
      remoteChat: createRemoteChat(link),
      clientStreams: createClientStreams(config.sseMaxPerClient),
      stateCache,
      eventStoreOn,
      knowledge,
      now,
      newId,
    };
    cleanups.push(serveRemoteChat(link, chat));
    if (link.hasPeers) {
      services.bus.on('committed', (events) =>
        link.publish({ type: 'log.appended', position: events.at(-1)!.position }),
      );
    }
    const survivors: Survivors = link.hasPeers ? { alone: false } : { alone: true, instanceId };
    if (config.autoTitle) {
      const autoTitle = startAutoTitle({ bus, store, llm, logger, maxTitleLength: config.maxTitleLength });
      cleanups.push(autoTitle.stop);
    }
    const sweeper = await sweepAbandoned(store, survivors, logger, { repeat: link.hasPeers });
    cleanups.push(sweeper.stop);
    cleanups.push(
      onSiblingGone((gone) => {
        sweeper.instanceGone(gone).catch((error: unknown) => logger.warn({ err: error }, 'sweep after a death failed'));
      }),
    );
    announceInstance(instanceId);

    const server = createApp(services).listen(config.port, config.host);
    answerClientErrors(server, { instanceId, newId: services.newId });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      server,
      services,
      close: () => stopServer(server, drain, { timeoutMs: config.shutdownTimeoutMs, cleanUp, logger }),
      hurry: () => drain.hurry(),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
