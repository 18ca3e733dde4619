/** The sampling fields of a chat request a test may assert on, as the OpenAI-style body names them. */
export const SAMPLING_FIELDS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'max_tokens',
  'stop',
] as const;

export type SamplingField = (typeof SAMPLING_FIELDS)[number];

/** What a client sent in one chat request, read from its logged JSON body; absent fields are null (or left out). */
export type LoggedChat = {
  model: string | null;
  stream: boolean;
  chatTemplateKwargs: Record<string, unknown> | null;
  /** The top-level `reasoning_effort`. */
  reasoningEffort: string | null;
  /** The effort the template gets: `chat_template_kwargs.reasoning_effort`, else the top-level one (both work). */
  effectiveReasoningEffort: string | null;
  /** Only the sampling fields the request carried, with their values as sent. */
  sampling: Partial<Record<SamplingField, unknown>>;
  messages: unknown[];
};

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The chat request in a logged JSON body; null when the body is not a JSON object. */
export function loggedChat(json: unknown): LoggedChat | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const body = json as Record<string, unknown>;
  const kwargs = body.chat_template_kwargs;
  const chatTemplateKwargs =
    typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs)
      ? (kwargs as Record<string, unknown>)
      : null;
  const reasoningEffort = text(body.reasoning_effort);
  return {
    model: text(body.model),
    stream: body.stream === true,
    chatTemplateKwargs,
    reasoningEffort,
    effectiveReasoningEffort: text(chatTemplateKwargs?.reasoning_effort) ?? reasoningEffort,
    sampling: Object.fromEntries(SAMPLING_FIELDS.filter((f) => f in body).map((f) => [f, body[f]])),
    messages: Array.isArray(body.messages) ? body.messages : [],
  };
}
