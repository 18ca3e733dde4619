import type { TSchema } from 'typebox';
import type { AppContext } from '../app-state.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
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
  restore: (ctx: AppContext, id: string) => Promise<unknown>;
  load: (ctx: AppContext, id: string) => Promise<{ body: unknown; version: number }>;
};

/** DELETE (soft, idempotent) and POST .../restore, the same for every resource that can be deleted. */
export function softDeleteRoutes(resource: SoftDeletable): RouteSpec[] {
  const { path, noun, operationNoun, tags } = resource;
  return [
    defineRoute({
      method: 'delete',
      path,
      operationId: `delete${operationNoun}`,
      summary: resource.deleteSummary,
      tags,
      params: IdParams,
      ifMatch: true,
      responses: { 204: deleted, 404: missing(noun), 412: preconditionFailed },
      async handle(ctx, { params }) {
        await resource.remove(ctx, params.id);
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
