import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/open-database.js';
import { openLink } from './cluster/open-link.js';
import { createRemoteChat } from './chat/remote-chat.js';
import { serveRemoteChat } from './chat/serve-remote-chat.js';
import { createEventBus } from './event-store/event-bus.js';
import type { Services } from './http/app-state.js';
import { createApp } from './http/app.js';
import { uuidv7 } from './ids.js';
import { projectInlineWith } from '../projections/project-inline.js';
import { projectors } from '../projections/projectors.js';
import { createChatSessions } from './chat/chat-sessions.js';
import { markInterrupted } from './chat/mark-interrupted.js';
import { createGenerationSlots } from './chat/generation-slots.js';
import { createLlamaClient } from './llm/llama-client.js';
import { createLlmHealth } from './llm/llm-health.js';
import { createLogger } from './logger.js';

export type RunningServer = { url: string; server: Server; services: Services; close: () => Promise<void> };

export type StartOptions = Partial<Pick<Services, 'now' | 'newId'>> & {
  /**
   * Whether answers left `streaming` are marked interrupted at start. A cluster's primary does it once before
   * forking, so a worker the primary restarts never touches the answers its siblings are streaming.
   */
  markInterruptedOnStart?: boolean;
};

/** Composition root: wires the database, bus, clock and ids into the app and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const { markInterruptedOnStart = true, ...overrides } = options;
  const instanceId = uuidv7();
  const logger = createLogger(config.logLevel).child({ instance: instanceId });
  const db = await openDatabase(config.databaseUrl, (message) => logger.info(message));
  const link = await openLink(config.databaseUrl, instanceId, logger).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const chat = createChatSessions();
  const services: Services = {
    config,
    db,
    bus: createEventBus(),
    logger,
    llmHealth: createLlmHealth(config.llmApiUrl),
    llm: createLlamaClient(config.llmApiUrl, {
      firstTokenTimeoutMs: config.llmTimeoutMs,
      idleTimeoutMs: config.llmIdleTimeoutMs,
    }),
    chat,
    link,
    remoteChat: createRemoteChat(link),
    slots: createGenerationSlots(config.llmMaxQueue),
    tokenCounts: new Map(),
    now: () => new Date(),
    newId: () => uuidv7(),
    ...overrides,
  };
  if (markInterruptedOnStart) await markInterruptedAnswers(db, services);
  const stopServing = serveRemoteChat(link, chat);
  if (link.hasPeers) {
    services.bus.on('committed', (events) => link.publish({ type: 'log.appended', position: events.at(-1)!.position }));
  }
  const server = createApp(services).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    stopServing();
    await link.close();
    await db.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    server,
    services,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      stopServing();
      await link.close();
      await db.close();
    },
  };
}

/** Answers still `streaming` at start were cut off by a crash or a kill: they are marked interrupted. */
export async function markInterruptedAnswers(db: Database, services: Pick<Services, 'bus' | 'now' | 'logger'>) {
  const interrupted = await markInterrupted(db.em(), () => ({
    em: db.em(),
    projectInline: projectInlineWith(projectors),
    bus: services.bus,
    now: services.now,
  }));
  if (interrupted > 0) {
    services.logger.warn({ interrupted }, 'answers cut off by the last shutdown were marked interrupted');
  }
}
