import { Type } from 'typebox';
import { nullable, Timestamp, Uuid } from './common.schemas.js';

const DateOrTime = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], { description });

export const UsageQuery = Type.Object(
  {
    project_id: Type.Optional(Type.String({ ...Uuid, description: 'Only conversations now in this project' })),
    from: Type.Optional(
      DateOrTime(
        'First answer counted, by when it started: a date (YYYY-MM-DD, from the start of that UTC day) or an ISO ' +
          '8601 date-time with its offset (inclusive)',
      ),
    ),
    to: Type.Optional(
      DateOrTime(
        'End of the range: a date (YYYY-MM-DD, up to the end of that UTC day, included) or an ISO 8601 date-time ' +
          'with its offset (excluded); must come after from',
      ),
    ),
    group_by: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('model')], {
        default: 'day',
        description: 'day: per UTC day the answers started; model: per model that wrote them',
      }),
    ),
  },
  { additionalProperties: false },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });

const figures = {
  messages: count('Answers (assistant messages), whatever their end; still streaming ones too'),
  completed: count('Answers that completed'),
  failed: count('Answers that failed (partial text kept)'),
  cancelled: count('Answers that were stopped (partial text kept)'),
  completion_tokens: count("Tokens generated, as llama.cpp's usage reported"),
  prompt_tokens: Type.Number({
    minimum: 0,
    description: 'Prompt tokens llama.cpp evaluated (timings.prompt_n): those it reused from its cache are not counted',
  }),
  average_completion_ms: nullable(
    Type.Number({ description: 'Mean time of completed answers, from asking llama.cpp to the last token, in ms' }),
  ),
  tokens_per_second: nullable(
    Type.Number({
      description:
        "Generation speed from llama.cpp's own timings: sum of predicted_n * 1000 / sum of predicted_ms, rounded " +
        'to 2 decimals; null without timings',
    }),
  ),
  prompt_tokens_per_second: nullable(
    Type.Number({ description: 'The same for the prompt: sum of prompt_n * 1000 / sum of prompt_ms' }),
  ),
  thumbs_up: count('Answers whose reaction is thumbs_up now'),
  thumbs_down: count('Answers whose reaction is thumbs_down now'),
};

export const UsageFigures = Type.Object(figures, { additionalProperties: false, title: 'UsageFigures' });

const DayUsage = Type.Object(
  { day: Type.String({ format: 'date', description: 'A UTC day' }), ...figures },
  { additionalProperties: false, title: 'DayUsage' },
);
const ModelUsage = Type.Object(
  {
    model: nullable(Type.String({ description: 'The model that wrote the answers; null for answers without one' })),
    ...figures,
  },
  { additionalProperties: false, title: 'ModelUsage' },
);

export const UsageReport = Type.Object(
  {
    group_by: Type.Union([Type.Literal('day'), Type.Literal('model')]),
    project_id: nullable(Uuid),
    from: nullable(Type.String({ ...Timestamp, description: 'Start of the range counted, included; null: none' })),
    to: nullable(Type.String({ ...Timestamp, description: 'End of the range counted, excluded; null: none' })),
    items: Type.Array(Type.Union([DayUsage, ModelUsage]), {
      description: 'Days in order, or models by name (null last); days and models without answers are left out',
    }),
    total: UsageFigures,
  },
  { additionalProperties: false, title: 'UsageReport' },
);
