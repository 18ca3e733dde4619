import { Type, type TProperties, type TSchema } from 'typebox';
import { nullable } from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Sampling fields under llama.cpp's names, each with the range it is held to. */
const sampling = {
  temperature: Type.Number({ minimum: 0, maximum: 2, description: 'Sampling temperature, 0 to 2' }),
  top_p: Type.Number({ minimum: 0, maximum: 1, description: 'Nucleus sampling, 0 to 1 (1: off)' }),
  top_k: Type.Integer({ minimum: 0, maximum: 1000, description: 'Top-k sampling, 0 to 1000 (0: off)' }),
  min_p: Type.Number({ minimum: 0, maximum: 1, description: 'Min-p sampling, 0 to 1 (0: off)' }),
  repeat_penalty: Type.Number({ minimum: 0, maximum: 2, description: 'Repetition penalty, 0 to 2 (1: off)' }),
  presence_penalty: Type.Number({ minimum: -2, maximum: 2, description: 'Presence penalty, -2 to 2 (0: off)' }),
  frequency_penalty: Type.Number({ minimum: -2, maximum: 2, description: 'Frequency penalty, -2 to 2 (0: off)' }),
  seed: Type.Integer({
    minimum: -1,
    maximum: 4_294_967_295,
    description: 'Sampling seed, -1 to 4294967295 (-1: a random seed each time, as llama.cpp takes it)',
  }),
  max_tokens: Type.Integer({ minimum: 1, maximum: 131072, description: 'Longest answer, in tokens, 1 to 131072' }),
  stop: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 8,
    description: 'Up to 8 texts, 1 to 100 characters each, that end the answer',
  }),
};

/** What a chat request may ask for besides sampling. */
const choice = {
  model: Type.String({
    minLength: 1,
    maxLength: 200,
    description: "The model llama.cpp is asked for (`model`), 1 to 200 characters; llama.cpp's own when unset",
  }),
  reasoning_effort: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')], {
    description:
      "gpt-oss's reasoning effort, sent as `chat_template_kwargs.reasoning_effort` and as `reasoning_effort`",
  }),
  knowledge: Type.Boolean({
    description:
      "Whether the answer draws on the project's documents (sources retrieved and cited); on unless false. Not " +
      'sent to llama.cpp',
  }),
};

const optional = <P extends TProperties>(properties: P) =>
  Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, Type.Optional(schema)])) as {
    [K in keyof P]: ReturnType<typeof Type.Optional<P[K]>>;
  };
const clearable = <P extends TProperties>(properties: P) =>
  Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, Type.Optional(nullable(schema))])) as {
    [K in keyof P]: ReturnType<typeof Type.Optional<ReturnType<typeof nullable<P[K]>>>>;
  };

export const ChatOptionsSchema = Type.Object(optional({ ...choice, ...sampling }), {
  additionalProperties: false,
  description:
    "How this answer is generated: each field set here wins over the conversation's settings, which win over the " +
    "project's; a field set nowhere is llama.cpp's own default",
});

const systemPrompt = (description: string, maxLength?: number) =>
  Type.String({ ...(maxLength === undefined ? {} : { maxLength }), description });

/** A project's or a conversation's settings as read: only the fields set. */
export const Settings = Type.Object(
  optional({ ...choice, system_prompt: systemPrompt('The system prompt its answers start from'), ...sampling }),
  {
    additionalProperties: false,
    title: 'GenerationSettings',
    description:
      "Generation settings: a project's are the defaults of its conversations, a conversation's override them, a " +
      "chat request's `options` override both. Only the fields set appear",
  },
);

/** What a request may set, the system prompt within the configured message length. */
export function settingsInputSchemas(limits: SchemaLimits) {
  const SystemPrompt = systemPrompt(
    `At most ${limits.maxMessageLength} characters (MAX_MESSAGE_LENGTH); an empty one sends none, also over the ` +
      "project's. Without one set anywhere, the project's `metadata.system_prompt` is used",
    limits.maxMessageLength,
  );
  const fields: Record<string, TSchema> & typeof choice & typeof sampling & { system_prompt: typeof SystemPrompt } = {
    ...choice,
    system_prompt: SystemPrompt,
    ...sampling,
  };
  const SettingsInput = Type.Object(optional(fields), {
    additionalProperties: false,
    description: 'Generation settings to start with: only the fields to set',
  });
  const SettingsPatch = Type.Object(clearable(fields), {
    additionalProperties: false,
    description: 'Changes of generation settings: a field left out stays as it is, null clears it',
  });
  return { SettingsInput, SettingsPatch };
}
