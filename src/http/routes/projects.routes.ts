import { createProject, runProjectCommand } from '../../commands/project-command.js';
import { findProject, listProjects, projectStats } from '../../queries/project.queries.js';
import type { AppContext } from '../app-state.js';
import { answer, commandOptions, eventStore } from '../command-context.js';
import { notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { softDeleteRoutes } from './soft-delete.routes.js';
import { purgeProject } from '../../commands/purge.js';
import { IdParams, Page } from '../schemas/common.schemas.js';
import { Project, ProjectGetQuery, projectInputSchemas, ProjectStats } from '../schemas/project.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { created, missing, modified, ok, preconditionFailed, etagHeader } from './responses.js';
import type { ProjectCommand } from '../../domain/project/project.commands.js';

const tags = ['Projects'];

const run = (ctx: AppContext, command: ProjectCommand) =>
  runProjectCommand(eventStore(ctx), command, commandOptions(ctx));

async function load(ctx: AppContext, id: string, includeDeleted = false) {
  const found = await findProject(ctx.state.em, id, includeDeleted);
  if (!found) throw notFoundProblem(`Project ${id} not found`);
  return found;
}

export function projectRoutes(limits: SchemaLimits): RouteSpec[] {
  const { ProjectCreateBody, ProjectPatchBody, ProjectListQuery } = projectInputSchemas(limits);
  const create = (path: string, operationId: string, summary: string) =>
    defineRoute({
      method: 'post',
      path,
      operationId,
      summary,
      tags,
      body: ProjectCreateBody,
      responses: {
        201: created(Project, 'Project created'),
        200: ok(Project, 'A retry with the same id and body: the existing project'),
        409: { description: 'The id exists with a different body' },
      },
      async handle(ctx, { body }) {
        const id = body.id ?? ctx.state.services.newId();
        const { description = null, metadata = {}, settings = {} } = body;
        const id_chosen_by = body.id === undefined ? 'server' : 'client';
        const result = await createProject(
          eventStore(ctx),
          { project_id: id, name: body.name, description, metadata, settings, id_chosen_by },
          commandOptions(ctx),
        );
        const { project, version } = await load(ctx, id, true);
        ctx.set('Location', `/api/projects/${id}`);
        answer(ctx, result.appended.length > 0 ? 201 : 200, project, version);
      },
    });

  return [
    create('/api/projects', 'createProject', 'Create a project'),
    create('/api/projects/create', 'createProjectLegacy', 'Create a project (path of the original UI)'),
    defineRoute({
      method: 'get',
      path: '/api/projects',
      operationId: 'listProjects',
      summary: 'List projects, newest first',
      tags,
      query: ProjectListQuery,
      responses: { 200: ok(Page(Project, 'ProjectPage'), 'A page of projects') },
      async handle(ctx, { query }) {
        answer(
          ctx,
          200,
          await listProjects(ctx.state.em, {
            limit: query.limit ?? 50,
            cursor: query.cursor,
            include_deleted: query.include_deleted ?? false,
          }),
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:id',
      operationId: 'getProject',
      summary: 'Get a project',
      tags,
      params: IdParams,
      query: ProjectGetQuery,
      responses: { 200: { ...ok(Project, 'The project'), headers: etagHeader }, 404: missing('project') },
      async handle(ctx, { params, query }) {
        const { project, version } = await load(ctx, params.id, query.include_deleted);
        answer(ctx, 200, project, version);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/projects/:id',
      operationId: 'updateProject',
      summary: 'Change name, description, metadata or generation settings',
      tags,
      params: IdParams,
      body: ProjectPatchBody,
      ifMatch: true,
      responses: { 200: modified(Project, 'The updated project'), 404: missing('project'), 412: preconditionFailed },
      async handle(ctx, { params, body }) {
        await run(ctx, { type: 'UpdateProject', data: { project_id: params.id, ...body } });
        const { project, version } = await load(ctx, params.id);
        answer(ctx, 200, project, version);
      },
    }),
    ...softDeleteRoutes({
      path: '/api/projects/:id',
      noun: 'project',
      operationNoun: 'Project',
      tags,
      schema: Project,
      deleteSummary: 'Soft-delete a project (its conversations leave listings too), or erase it for good (?purge=true)',
      purgeScope: 'the project and every conversation in it (soft-deleted ones too), with all their messages',
      purge: (ctx, id) => purgeProject(eventStore(ctx), id, commandOptions(ctx)),
      remove: (ctx, id) => run(ctx, { type: 'DeleteProject', data: { project_id: id } }),
      restore: (ctx, id) => run(ctx, { type: 'RestoreProject', data: { project_id: id } }),
      load: async (ctx, id) => {
        const { project, version } = await load(ctx, id);
        return { body: project, version };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:id/stats',
      operationId: 'getProjectStats',
      summary: 'Counts, tokens and reactions of a project',
      tags,
      params: IdParams,
      responses: { 200: ok(ProjectStats, 'The statistics'), 404: missing('project') },
      async handle(ctx, { params }) {
        const stats = await projectStats(ctx.state.em, params.id);
        if (!stats) throw notFoundProblem(`Project ${params.id} not found`);
        answer(ctx, 200, stats);
      },
    }),
  ];
}
