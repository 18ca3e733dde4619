import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.js';
import { openDatabase } from './db/open-database.js';
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

/** Composition root: wires the database, bus, clock and ids into the app and listens. */
export async function startServer(
  config: Config,
  overrides: Partial<Pick<Services, 'now' | 'newId'>> = {},
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config.databaseUrl, (message) => logger.info(message));
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
    chat: createChatSessions(),
    slots: createGenerationSlots(config.llmMaxQueue),
    tokenCounts: new Map(),
    now: () => new Date(),
    newId: () => uuidv7(),
    ...overrides,
  };
  const interrupted = await markInterrupted(db.em(), () => ({
    em: db.em(),
    projectInline: projectInlineWith(projectors),
    bus: services.bus,
    now: services.now,
  }));
  if (interrupted > 0) logger.warn({ interrupted }, 'answers cut off by the last shutdown were marked interrupted');
  const server = createApp(services).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: unknown) => {
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
      await db.close();
    },
  };
}
