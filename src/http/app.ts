import cors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import type { AppState, Services } from './app-state.js';
import { docsRouter } from './docs/docs.routes.js';
import { jsonBody } from './middleware/json-body.js';
import { problemResponses } from './middleware/problem-responses.js';
import { requestId } from './middleware/request-id.js';
import { openApiDocument } from './openapi.js';
import { mountRoutes, type RouteSpec } from './route.js';
import { chatRoutes } from './routes/chat.routes.js';
import { conversationRoutes } from './routes/conversations.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { messageRoutes } from './routes/messages.routes.js';
import { projectRoutes } from './routes/projects.routes.js';

export const routes: readonly RouteSpec[] = [
  ...healthRoutes,
  ...projectRoutes,
  ...conversationRoutes,
  ...messageRoutes,
  ...chatRoutes,
  ...eventRoutes,
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
  mountRoutes(api, routes);
  const document = openApiDocument(routes, apiInfo);
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
  app.use(problemResponses);
  app.use(
    cors({
      origin: (ctx) => allowedOrigin(services.config.corsOrigins, ctx.get('Origin')),
      exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'X-Instance-Id'],
    }),
  );
  app.use(jsonBody(services.config.maxBodyBytes));
  app.use(api.routes());
  // Not `throw: true`: the router then sets no Allow header, which a 405 must carry (RFC 9110).
  app.use(api.allowedMethods());
  app.use(docs.routes());
  return app;
}

function allowedOrigin(allowed: string[], origin: string): string {
  return allowed.includes('*') || allowed.includes(origin) ? origin : '';
}
