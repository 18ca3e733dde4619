import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { JsonObject } from '../src/domain/shared/decider.js';
import type { GenerationSettings } from '../src/domain/shared/generation-settings.js';

/** Read model of a project. Counts over its conversations are aggregated at query time. */
export const ProjectView = defineEntity({
  name: 'ProjectView',
  tableName: 'projects',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    name: p.text(),
    description: p.text().nullable(),
    metadata: p.json<JsonObject>(),
    /** The generation defaults of its conversations: only the fields set. */
    settings: p.json<GenerationSettings>(),
    created_at: p.string().length(32),
    updated_at: p.string().length(32),
    deleted_at: p.string().length(32).nullable(),
    version: p.integer(),
  }),
  indexes: [{ properties: ['created_at', 'id'] }],
});
export type ProjectRow = InferEntity<typeof ProjectView>;
