import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { ConcurrencyError } from '../event-store/expected-version.js';
import { InvalidCursorError } from '../queries/cursor.js';

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id?: string;
  errors?: { path: string; message: string }[];
  stack?: string;
};

/** An error that already knows its HTTP answer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    detail: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const notFoundProblem = (detail: string) => new HttpProblem(404, 'not-found', detail);

/** How long a client should wait before retrying a refusal that passes (503, 429). */
export const RETRY_AFTER_SECONDS = '5';

type Answer = { status: number; body: ProblemBody; headers: Record<string, string> };

/** The one error policy: every failure becomes a problem+json answer; a 500 never shows internals. */
export function toProblem(error: unknown, context: { ifMatchSent: boolean; debug: boolean }): Answer {
  const known = classify(error, context.ifMatchSent);
  if (known) {
    const { status, kind, detail, errors, headers } = known;
    return {
      status,
      headers: headers ?? {},
      body: { type: `/problems/${kind}`, title: title(status), status, detail, ...(errors ? { errors } : {}) },
    };
  }
  const body: ProblemBody = {
    type: '/problems/internal',
    title: title(500),
    status: 500,
    detail: 'An unexpected error occurred',
  };
  if (context.debug && error instanceof Error && error.stack) body.stack = error.stack;
  return { status: 500, headers: {}, body };
}

type Known = {
  status: number;
  kind: string;
  detail: string;
  errors?: ProblemBody['errors'];
  headers?: Record<string, string>;
};

function classify(error: unknown, ifMatchSent: boolean): Known | undefined {
  if (error instanceof HttpProblem) {
    return {
      status: error.status,
      kind: error.kind,
      detail: error.message,
      errors: error.errors,
      headers: error.headers,
    };
  }
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'not_found':
        return { status: 404, kind: 'not-found', detail: error.message };
      case 'conflict':
        return { status: 409, kind: 'conflict', detail: error.message };
      case 'invalid': {
        const { field, path } = error;
        const errors = field
          ? [{ path: `${field.in}${field.pointer}`, message: field.message }]
          : path
            ? [{ path: `body${path}`, message: error.message }]
            : undefined;
        return { status: 422, kind: 'validation', detail: error.message, errors };
      }
    }
  }
  if (error instanceof ConcurrencyError) {
    return ifMatchSent
      ? { status: 412, kind: 'precondition-failed', detail: `${error.message}; fetch it again and retry with its ETag` }
      : {
          status: 409,
          kind: 'concurrent-modification',
          detail: `${error.message}; it was changed concurrently, retry`,
        };
  }
  if (error instanceof InvalidCursorError) {
    return {
      status: 422,
      kind: 'validation',
      detail: error.message,
      errors: [{ path: 'query/cursor', message: error.message }],
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      kind: 'database-unavailable',
      detail: 'The database is not available right now (unreachable, locked or read-only); retry later',
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    };
  }
  return fromBodyParser(error);
}

/** Errors of koa-body (raw-body, co-body) and koa's own http-errors carry `status`; co-body's parse errors no `type`. */
function fromBodyParser(error: unknown): Known | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, type, expose } = error as { status?: unknown; type?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose === false) return undefined;
  switch (type) {
    case 'entity.too.large':
      return { status: 413, kind: 'payload-too-large', detail: 'The request body is larger than the limit' };
    case 'entity.parse.failed':
    case undefined:
      if (status !== 400) break;
      return { status: 400, kind: 'malformed-json', detail: 'The request body is not valid JSON (or not an object)' };
    case 'encoding.unsupported':
      return { status: 415, kind: 'unsupported-media-type', detail: 'Unsupported content encoding' };
  }
  return { status, kind: slug(title(status)), detail: (error as Error).message || title(status) };
}

const title = (status: number) => STATUS_CODES[status] ?? 'Error';
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
