import type Router from '@koa/router';
import type { Static, TObject, TSchema } from 'typebox';
import type { AppContext, AppState } from './app-state.js';
import { asClientStream } from './client-streams.js';
import { checkMetadataLimits } from './metadata-limits.js';
import { validator } from './validate.js';

export type ResponseSpec = {
  description: string;
  schema?: TSchema;
  /** application/json unless said otherwise (text/event-stream for streams). */
  contentType?: string;
  /** The same answer in other media types, chosen by the request (an export as JSON, Markdown or zip). */
  otherContent?: Record<string, TSchema>;
  headers?: Record<string, { description: string; schema: TSchema }>;
};

type Input<P, Q, B> = { params: P; query: Q; body: B };

/** One route: what it accepts and answers (documented in /openapi.json) and what it does. */
export type RouteSpec<P extends TObject = TObject, Q extends TObject = TObject, B extends TSchema = TSchema> = {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * What the body is checked against before the handler, when that is not `body`: a body of several formats whose
   * handler checks each against its own schema, for errors that name the format's fields. `body` documents it.
   */
  bodyCheck?: TSchema;
  /**
   * Bodies in other media types than JSON (an upload as multipart/form-data), for the docs: the handler reads those
   * itself, and `body` is checked only when the request is JSON.
   */
  otherBodies?: Record<string, TSchema>;
  /** Documents and honours the optional If-Match request header; other routes ignore it. */
  ifMatch?: boolean;
  /** Other optional request headers the handler reads, for the docs (the handler checks them itself). */
  requestHeaders?: Record<string, { description: string; schema: TSchema }>;
  responses: Record<number, ResponseSpec>;
  handle: (ctx: AppContext, input: Input<Static<P>, Static<Q>, Static<B>>) => Promise<void>;
};

export const defineRoute = <P extends TObject, Q extends TObject, B extends TSchema>(spec: RouteSpec<P, Q, B>) =>
  spec as unknown as RouteSpec;

/** Mounts routes with their validation; the handler only sees valid input. */
export function mountRoutes(router: Router<AppState>, routes: readonly RouteSpec[]): void {
  for (const route of routes) {
    const params = route.params ? validator(route.params, 'params') : () => ({});
    const query = route.query ? validator(route.query, 'query') : () => ({});
    const bodySchema = route.bodyCheck ?? route.body;
    const body = bodySchema ? validator(bodySchema, 'body') : () => undefined;
    const isStream = streams(route);
    router[route.method](route.path, async (ctx) => {
      const context = ctx as unknown as AppContext;
      context.state.ifMatch = route.ifMatch ? ctx.get('If-Match') : '';
      const raw = (ctx.request as { body?: unknown }).body;
      const readsItself = route.otherBodies !== undefined && !ctx.is('json');
      const input = {
        params: params(ctx.params) as never,
        query: query({ ...ctx.query }) as never,
        body: (readsItself ? undefined : body(raw === undefined && route.body ? {} : raw)) as never,
      };
      checkMetadataLimits(input.body, context.state.services.config);
      if (isStream) await asClientStream(context, () => route.handle(context, input));
      else await route.handle(context, input);
    });
  }
}

/** Routes answering with an event stream count against their client's SSE_MAX_PER_CLIENT. */
const streams = (route: RouteSpec) =>
  Object.values(route.responses).some((response) => response.contentType === 'text/event-stream');
