import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { JsonObject } from '../src/domain/shared/decider.js';
import type { GenerationSettings } from '../src/domain/shared/generation-settings.js';

/** Read model of a conversation; `activity_at` (last message, else creation) orders listings. */
export const ConversationView = defineEntity({
  name: 'ConversationView',
  tableName: 'conversations',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    project_id: p.string().length(64).nullable(),
    title: p.text().nullable(),
    metadata: p.json<JsonObject>(),
    /** Its generation overrides of the project's defaults: only the fields set. */
    settings: p.json<GenerationSettings>(),
    created_at: p.string().length(32),
    updated_at: p.string().length(32),
    deleted_at: p.string().length(32).nullable(),
    last_message_at: p.string().length(32).nullable(),
    activity_at: p.string().length(32),
    message_count: p.integer(),
    /** The end of the branch a client shows and a new question replies to. */
    current_leaf_id: p.string().length(64).nullable(),
    version: p.integer(),
  }),
  indexes: [{ properties: ['activity_at', 'id'] }, { properties: ['project_id', 'activity_at'] }],
});
export type ConversationRow = InferEntity<typeof ConversationView>;
