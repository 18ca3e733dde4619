import { Type } from 'typebox';

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
    database: Type.Union(
      [Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('locked'), Type.Literal('read_only')],
      {
        description:
          'SQLite only: locked when another process holds the write lock for over a second, read_only when the ' +
          'file cannot be written',
      },
    ),
    llm_service: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('loading')]),
    embedding_service: Type.Union(
      [Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('loading'), Type.Literal('disabled')],
      {
        description:
          'The embedding server of EMBEDDING_API_URL (disabled when unset). It never makes the service degraded or ' +
          'unhealthy: without it documents are indexed later and retrieval uses full text',
      },
    ),
  },
  { additionalProperties: false, title: 'Health' },
);

export const Liveness = Type.Object(
  { status: Type.Literal('live') },
  { additionalProperties: false, title: 'Liveness' },
);

export const Readiness = Type.Object(
  { status: Type.Literal('ready') },
  { additionalProperties: false, title: 'Readiness' },
);
