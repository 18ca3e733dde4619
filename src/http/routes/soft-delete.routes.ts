import type { TSchema } from 'typebox';
import type { StoredEvent } from '../../event-store/stored-event.js';
import type { AppContext } from '../app-state.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { DeleteQuery, IdParams } from '../schemas/common.schemas.js';
import { deleted, missing, modified, preconditionFailed } from './responses.js';

type SoftDeletable = {
  /** e.g. '/api/projects/:id' */
  path: string;
  noun: string;
  operationNoun: string;
  tags: string[];
  schema: TSchema;
  deleteSummary: string;
  remove: (ctx: AppContext, id: string) => Promise<unknown>;
  /** Erases it for good; returns the tombstones of what was erased. */
  purge: (ctx: AppContext, id: string) => Promise<StoredEvent[]>;
  /** What a purge also takes with it, for the docs. */
  purgeScope: string;
  restore: (ctx: AppContext, id: string) => Promise<unknown>;
  load: (ctx: AppContext, id: string) => Promise<{ body: unknown; version: number }>;
};

/**
 * DELETE (soft, idempotent; with ?purge=true erased for good) and POST .../restore, the same for every resource that
 * can be deleted.
 */
export function softDeleteRoutes(resource: SoftDeletable): RouteSpec[] {
  const { path, noun, operationNoun, tags } = resource;
  return [
    defineRoute({
      method: 'delete',
      path,
      operationId: `delete${operationNoun}`,
      summary: resource.deleteSummary,
      description:
        `Soft delete: the ${noun} is hidden and can be restored. With \`purge=true\` it is erased for good, for ` +
        `privacy: ${resource.purgeScope}, their events and read rows are deleted in one transaction and scrubbed ` +
        'from the database files, and a tombstone event without content stays in the log, so a replay gives the ' +
        'same read models. A purged id is never used again.',
      tags,
      params: IdParams,
      query: DeleteQuery,
      ifMatch: true,
      responses: {
        204: deleted,
        404: missing(noun),
        409: { description: 'Purge only: an answer is being generated in it; stop it first' },
        412: preconditionFailed,
      },
      async handle(ctx, { params, query }) {
        if (query.purge) {
          const tombstones = await resource.purge(ctx, params.id);
          const conversations = tombstones.filter((e) => e.stream_type === 'conversation').map((e) => e.stream_id);
          ctx.state.services.chat.forget(conversations);
        } else {
          await resource.remove(ctx, params.id);
        }
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'post',
      path: `${path}/restore`,
      operationId: `restore${operationNoun}`,
      summary: `Restore a soft-deleted ${noun}`,
      tags,
      params: IdParams,
      ifMatch: true,
      responses: {
        200: modified(resource.schema, `The restored ${noun}`),
        404: missing(noun),
        412: preconditionFailed,
      },
      async handle(ctx, { params }) {
        await resource.restore(ctx, params.id);
        const { body, version } = await resource.load(ctx, params.id);
        answer(ctx, 200, body, version);
      },
    }),
  ];
}
