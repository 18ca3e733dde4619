import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { JsonObject } from '../src/domain/shared/decider.js';

/** Read model of a message; `seq` is its creation event's stream version, so it orders a conversation. */
export const MessageView = defineEntity({
  name: 'MessageView',
  tableName: 'messages',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    conversation_id: p.string().length(64),
    seq: p.integer(),
    role: p.string().length(16),
    content: p.text(),
    /** A thinking model's analysis before its answer; null when the model did not think (or before it was kept). */
    reasoning: p.text().nullable(),
    status: p.string().length(16),
    finish_reason: p.string().length(16).nullable(),
    reaction: p.string().length(16).nullable(),
    parent_message_id: p.string().length(64).nullable(),
    token_count: p.integer().nullable(),
    model_name: p.string().length(255).nullable(),
    completion_time_ms: p.integer().nullable(),
    metadata: p.json<JsonObject>(),
    /** Distance from the root of the conversation's tree (see message-tree.ts). */
    depth: p.integer(),
    /** The nearest ancestor whose depth is a multiple of ANCHOR_EVERY, to walk up long branches quickly. */
    anchor_id: p.string().length(64).nullable(),
    created_at: p.string().length(32),
    updated_at: p.string().length(32),
  }),
  indexes: [{ properties: ['conversation_id', 'seq'] }],
});
export type MessageRow = InferEntity<typeof MessageView>;
