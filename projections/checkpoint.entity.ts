import { defineEntity } from '@mikro-orm/core';

/** The last log position each projector has applied. */
export const ProjectionCheckpoint = defineEntity({
  name: 'ProjectionCheckpoint',
  tableName: 'projection_checkpoints',
  properties: (p) => ({
    name: p.string().length(64).primary(),
    position: p.bigint('number'),
    updated_at: p.string().length(32),
  }),
});
