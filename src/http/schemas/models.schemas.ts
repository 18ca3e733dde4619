import { Type } from 'typebox';
import { nullable } from './common.schemas.js';

const Count = nullable(Type.Integer({ minimum: 0 }));
const Capability = (description: string) => nullable(Type.Boolean({ description: `${description}; null: not said` }));

export const ServedModelSchema = Type.Object(
  {
    id: Type.String({ description: 'What settings.model and a chat name it by' }),
    aliases: Type.Array(Type.String()),
    status: Type.Union(
      ['ready', 'loaded', 'loading', 'unloaded', 'sleeping', 'failed', 'unknown'].map((s) => Type.Literal(s)),
      {
        description:
          'ready: the one model of a server started with -m; in router mode loaded, loading, unloaded, sleeping or ' +
          'failed (its process crashed)',
      },
    ),
    file: nullable(Type.String({ description: 'The GGUF file; null for an unloaded router model' })),
    n_ctx: Count,
    n_ctx_train: Count,
    slots: Count,
    n_params: Count,
    size_bytes: Count,
    capabilities: Type.Object(
      {
        reasoning: Capability('It thinks before answering (its chat template)'),
        reasoning_effort: Capability('Its template takes reasoning_effort (low, medium, high)'),
        vision: Capability('It reads images'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'ServedModel' },
);

export const ModelsResponse = Type.Object(
  {
    state: Type.Union([Type.Literal('ready'), Type.Literal('loading'), Type.Literal('unreachable')], {
      description: 'ready: llama.cpp answered; loading: it is loading its model (503); unreachable: no answer',
    }),
    router: Type.Boolean({ description: 'llama-server runs in router mode (--models-dir): several models' }),
    autoload: nullable(Type.Boolean({ description: 'Router mode: a chat naming an unloaded model loads it' })),
    models: Type.Array(ServedModelSchema),
    error: nullable(Type.String({ description: 'Why the state is not ready' })),
  },
  { additionalProperties: false, title: 'Models' },
);
