import { Type } from 'typebox';

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
    database: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('locked')], {
      description: 'locked: reachable, but no write can be made (SQLite locked by another process, or read-only)',
    }),
    llm_service: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('loading')]),
  },
  { additionalProperties: false, title: 'Health' },
);
