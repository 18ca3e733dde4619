import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * One row per message, with what llama.cpp reported for an answer: the facts usage statistics add up when asked.
 * Questions have rows too, with no figures: a reaction may name any message, and must find its row.
 */
export const UsageMessageView = defineEntity({
  name: 'UsageMessageView',
  tableName: 'usage_messages',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    conversation_id: p.string().length(64),
    role: p.string().length(16),
    /** streaming, complete, failed or cancelled, as the message read model says. */
    status: p.string().length(16),
    created_at: p.string().length(32),
    model_name: p.string().length(255).nullable(),
    /** The answer's token count as recorded (llama.cpp's usage, else its timings' predicted_n). */
    completion_tokens: p.integer().nullable(),
    /**
     * llama.cpp's timings: prompt tokens evaluated (not those reused from its cache) and tokens generated, with their
     * ms. Stored as numbers as sent: a count llama.cpp sent with a fraction must not fail the answer's end.
     */
    prompt_n: p.double().nullable(),
    prompt_ms: p.double().nullable(),
    predicted_n: p.double().nullable(),
    predicted_ms: p.double().nullable(),
    /** Wall time from asking llama.cpp to the last token, measured by this server. */
    completion_time_ms: p.integer().nullable(),
    reaction: p.string().length(16).nullable(),
  }),
  indexes: [{ properties: ['created_at'] }, { properties: ['conversation_id'] }],
});
export type UsageMessageRow = InferEntity<typeof UsageMessageView>;
