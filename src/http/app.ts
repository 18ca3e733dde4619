import cors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import type { AppState, Services } from './app-state.js';
import { docsRouter } from './docs/docs.routes.js';
import { bearerAuth } from './middleware/bearer-auth.js';
import { closeWhenDraining } from './middleware/close-when-draining.js';
import { jsonBody } from './middleware/json-body.js';
import { problemResponses } from './middleware/problem-responses.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { openApiDocument } from './openapi.js';
import { mountRoutes, type RouteSpec } from './route.js';
import { chatRoutes } from './routes/chat.routes.js';
import { modelRoutes } from './routes/models.routes.js';
import { conversationHistoryRoutes } from './routes/conversation-history.routes.js';
import { conversationRoutes } from './routes/conversations.routes.js';
import { eventStreamRoutes } from './routes/event-stream.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { DOCUMENT_UPLOAD_PATH, documentRoutes, jsonDocumentLimit } from './routes/documents.routes.js';
import { exportRoutes } from './routes/export.routes.js';
import { knowledgeRoutes } from './routes/knowledge.routes.js';
import { forkRoutes } from './routes/fork.routes.js';
import { IMPORT_PATH, importRoutes } from './routes/import.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { messageRoutes } from './routes/messages.routes.js';
import { projectRoutes } from './routes/projects.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import { statsRoutes } from './routes/stats.routes.js';
import { titleRoutes } from './routes/title.routes.js';
import type { SchemaLimits } from './schemas/schema-limits.js';

/** Every route, its request schemas bounded by the configured limits. */
export const apiRoutes = (limits: SchemaLimits): readonly RouteSpec[] => [
  ...healthRoutes,
  ...projectRoutes(limits),
  ...documentRoutes(limits),
  ...knowledgeRoutes,
  ...importRoutes,
  ...conversationRoutes(limits),
  ...titleRoutes,
  ...forkRoutes(limits),
  ...exportRoutes,
  ...messageRoutes,
  ...chatRoutes,
  ...modelRoutes,
  ...eventRoutes(limits),
  ...eventStreamRoutes,
  ...conversationHistoryRoutes(limits),
  ...searchRoutes(limits),
  ...statsRoutes,
];

export const apiInfo = {
  title: 'GPT-OSS local assistant API',
  version: '0.1.0',
  description:
    'Projects, conversations and messages of a local AI knowledge assistant, with answers from a local llama.cpp ' +
    'server streamed token by token over Server-Sent Events. Writes append events to a log; every read comes ' +
    'from read models the log projects.',
};

/** The whole HTTP pipeline; `listen` is the caller's business. */
export function createApp(services: Services): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: false });
  const api = new Router<AppState>();
  const routes = apiRoutes(services.config);
  mountRoutes(api, routes);
  const { apiToken } = services.config;
  const document = openApiDocument(routes, apiInfo, { bearerRequired: apiToken !== null });
  api.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  const docs = docsRouter({ openapiUrl: '/openapi.json', title: apiInfo.title });

  app.use(async (ctx, next) => {
    ctx.state.services = services;
    ctx.state.em = services.db.em();
    ctx.state.ifMatch = '';
    await next();
  });
  app.use(requestId);
  app.use(securityHeaders);
  app.use(closeWhenDraining);
  app.use(problemResponses);
  app.use(
    cors({
      origin: (ctx) => allowedOrigin(services.config.corsOrigins, ctx.get('Origin')),
      exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'X-Instance-Id'],
    }),
  );
  // After CORS, which answers preflights itself: a browser sends them without credentials.
  if (apiToken !== null) app.use(bearerAuth(apiToken));
  app.use(
    jsonBody(services.config.maxBodyBytes, [
      { path: new RegExp(`^${IMPORT_PATH}$`), limitBytes: services.config.maxImportBytes },
      // A document's text as JSON: escaped, its bytes may take up to six times as many characters.
      { path: DOCUMENT_UPLOAD_PATH, limitBytes: jsonDocumentLimit(services.config.maxDocumentBytes), multipart: true },
    ]),
  );
  app.use(api.routes());
  // Not `throw: true`: the router then sets no Allow header, which a 405 must carry (RFC 9110).
  app.use(api.allowedMethods());
  app.use(docs.routes());
  return app;
}

/** `*` stays `*`: credentials are never allowed, so any origin may read, none with a user's cookies. */
function allowedOrigin(allowed: string[], origin: string): string {
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : '';
}
