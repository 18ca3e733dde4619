import type { TObject, TSchema } from 'typebox';
import type { RouteSpec } from './route.js';
import { Problem } from './schemas/common.schemas.js';

type Json = Record<string, unknown>;

const tagDescriptions: Record<string, string> = {
  Health: 'Is the service, its database and llama.cpp up',
  Projects: 'Projects group conversations',
  Conversations: 'Conversations and their message trees',
  Messages: 'Single messages and their reactions',
  Chat: 'Questions answered by llama.cpp, streamed token by token over Server-Sent Events',
  Models: 'What llama.cpp serves: one model, or several in router mode, with context, size, capabilities, status',
  'Event log': 'The append-only log every read model is built from',
  Search: 'Full-text search over messages and titles',
  Statistics: 'Usage of the model, added up per day or per model',
};

const problemRef = { $ref: '#/components/schemas/Problem' };

/** Headers every answer carries (request-id.ts), declared once. */
const commonHeaders = {
  RequestId: {
    description: 'The id of this request in the logs: the X-Request-Id the client sent, if usable, or a new one',
    schema: { type: 'string' },
  },
  InstanceId: {
    description: 'The process (worker or instance) that answered, to tell them apart behind a load balancer',
    schema: { type: 'string' },
  },
};
const everyResponse = {
  'X-Request-Id': { $ref: '#/components/headers/RequestId' },
  'X-Instance-Id': { $ref: '#/components/headers/InstanceId' },
};

/** OpenAPI 3.1 made from the same TypeBox schemas that validate requests: one source of truth. */
export function openApiDocument(
  routes: readonly RouteSpec[],
  info: { title: string; version: string; description: string },
  access: { bearerRequired: boolean } = { bearerRequired: false },
) {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const guarded = access.bearerRequired && isApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route, guarded) };
  }
  return {
    openapi: '3.1.0',
    info: { ...info, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/', description: 'This server' }],
    tags: [...new Set(routes.flatMap((r) => r.tags))].map((name) => ({
      name,
      description: tagDescriptions[name] ?? name,
    })),
    // Declared either way, so Swagger UI's "Authorize" works; required per operation when API_TOKEN is set.
    security: [],
    paths,
    components: {
      schemas: { Problem: plain(Problem) },
      headers: commonHeaders,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The API_TOKEN the server was started with; every /api route needs it when it is set',
        },
      },
    },
  };
}

const isApiPath = (path: string) => /^\/api(\/|$)/.test(path);

function operation(route: RouteSpec, guarded: boolean): Json {
  const parameters = [
    ...properties(route.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema: plain(schema) })),
    ...properties(route.query).map(([name, schema, required]) => ({
      name,
      in: 'query',
      required,
      schema: plain(schema),
      ...(typeof (schema as Json).description === 'string' ? { description: (schema as Json).description } : {}),
    })),
    ...Object.entries(route.requestHeaders ?? {}).map(([name, header]) => ({
      name,
      in: 'header',
      required: false,
      description: header.description,
      schema: plain(header.schema),
    })),
    ...(route.ifMatch
      ? [
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'The ETag last seen; the change is refused with 412 if the resource has changed since',
            schema: { type: 'string' },
          },
        ]
      : []),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: plain(route.body) },
              ...Object.fromEntries(
                Object.entries(route.otherBodies ?? {}).map(([type, schema]) => [type, { schema: plain(schema) }]),
              ),
            },
          },
        }
      : {}),
    ...(guarded ? { security: [{ bearerAuth: [] }] } : {}),
    responses: {
      ...(isApiPath(route.path) ? { 503: databaseUnavailable } : {}),
      ...responses(route),
      ...(guarded ? { 401: unauthorized } : {}),
    },
  };
}

function responses(route: RouteSpec): Json {
  const validated = Boolean(route.params || route.query || route.body);
  const standard: Record<string, string> = {
    400: route.body ? 'The body is not valid JSON, or the request is not valid HTTP' : 'The request is not valid HTTP',
    ...(route.body
      ? {
          413: 'The body is larger than the limit',
          415: `The body is not ${['application/json', ...Object.keys(route.otherBodies ?? {})].join(' or ')}`,
        }
      : {}),
    ...(validated ? { 422: 'Invalid path parameter, query or body; `errors` names each failing path' } : {}),
    431: 'The request headers are larger than the server accepts (16 KB in all)',
    500: 'Unexpected error; the body carries a request id, never internals',
  };
  const out: Json = {};
  for (const [code, description] of Object.entries(standard))
    out[code] = { ...problem(description), headers: everyResponse };
  for (const [code, spec] of Object.entries(route.responses)) {
    const status = Number(code);
    const headers = spec.headers
      ? Object.fromEntries(
          Object.entries(spec.headers).map(([name, h]) => [
            name,
            { description: h.description, schema: plain(h.schema) },
          ]),
        )
      : undefined;
    const content =
      status >= 400 && !spec.schema
        ? { 'application/problem+json': { schema: problemRef } }
        : spec.schema
          ? {
              [spec.contentType ?? 'application/json']: { schema: plain(spec.schema) },
              ...Object.fromEntries(
                Object.entries(spec.otherContent ?? {}).map(([type, schema]) => [type, { schema: plain(schema) }]),
              ),
            }
          : undefined;
    out[code] = {
      description: spec.description,
      headers: { ...everyResponse, ...headers },
      ...(content ? { content } : {}),
    };
  }
  return out;
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

function properties(schema: TObject | undefined): [string, TSchema, boolean][] {
  if (!schema) return [];
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(schema.properties).map(([name, value]) => [name, value, required.has(name)]);
}

/** A TypeBox schema is JSON Schema already; this drops anything JSON cannot carry. */
const plain = (schema: TSchema): Json => JSON.parse(JSON.stringify(schema)) as Json;

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

const databaseUnavailable = {
  ...problem('The database is unavailable (unreachable, locked or read-only); retry after Retry-After seconds'),
  headers: { ...everyResponse, ...retryAfter },
};

const unauthorized = {
  ...problem('No `Authorization: Bearer <API_TOKEN>` header, or not the right token'),
  headers: {
    ...everyResponse,
    'WWW-Authenticate': { description: 'The scheme to use: Bearer', schema: { type: 'string' } },
  },
};
