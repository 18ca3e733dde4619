/** ok: the model is loaded; loading: every endpoint answers 503 "Loading model"; silent: nothing is answered. */
export type LlamaMode = 'ok' | 'loading' | 'silent';

/**
 * How /v1/chat/completions misbehaves (none: it answers like the captures).
 * - http_error: `httpStatus` with llama.cpp's {"error":{code,message,type}} body, before any stream.
 * - loading: 503 "Loading model" for chat only.
 * - stream_error_line: after `failAfter` tokens, an old-style `error: {...}` line, then `data: [DONE]` (b4748).
 * - stream_error_data: after `failAfter` tokens, a newer-style `data: {"error":{...}}` event, then `data: [DONE]`
 *   (the modern server ends the stream without `[DONE]`, and sends no role chunk when it fails at once).
 * - context_overflow: the prompt "exceeds the available context size", in `errorStyle`.
 * - malformed: after `failAfter` tokens, a truncated-JSON line; the stream then goes on to its normal end.
 * - reset: the socket is destroyed after `failAfter` tokens.
 * - no_finish: the response ends cleanly after `failAfter` tokens, without finish chunk or [DONE].
 * - stall_first: headers are sent, then nothing; the connection stays open.
 * - stall_after: `failAfter` tokens are sent, then nothing; the connection stays open.
 * Without streaming, error modes answer their HTTP error, reset and no_finish destroy the socket, stalls never answer
 * and malformed sends a truncated JSON body.
 */
export type FailureMode =
  | 'none'
  | 'http_error'
  | 'loading'
  | 'stream_error_line'
  | 'stream_error_data'
  | 'context_overflow'
  | 'malformed'
  | 'reset'
  | 'no_finish'
  | 'stall_first'
  | 'stall_after';

export const FAILURE_MODES: readonly FailureMode[] = [
  'none',
  'http_error',
  'loading',
  'stream_error_line',
  'stream_error_data',
  'context_overflow',
  'malformed',
  'reset',
  'no_finish',
  'stall_first',
  'stall_after',
];

/** line: `error: {...}` + [DONE] (b4748); data: `data: {"error":...}` + [DONE] (newer); http: 400 before streaming. */
export type ErrorStyle = 'line' | 'data' | 'http';
/**
 * finish: usage on the finish chunk (b4748); separate: a last chunk with empty choices; none: no usage;
 * requested: `separate` when the request asks with `stream_options.include_usage`, else `none` (modern).
 */
export type UsageStyle = 'finish' | 'separate' | 'none' | 'requested';
/**
 * b4748: as props.txt; newer: top-level n_ctx and model_alias, no default_generation_settings.n_ctx;
 * modern: as modern/d03_props (default_generation_settings is {params, n_ctx}).
 */
export type PropsStyle = 'b4748' | 'newer' | 'modern';
/**
 * The llama-server build whose wire format the double speaks: header order, error bodies, `model` in replies,
 * /v1/models, timings and usage fields, the context check. `b4748`: tests/fixtures/llama-cpp;
 * `modern`: tests/fixtures/llama-cpp/modern (b1-de3ff81, September 2026).
 */
export type ServerBuild = 'b4748' | 'modern';

/** How a router model starts: loaded (a child runs) or unloaded. */
export type RouterModelStatus = 'loaded' | 'unloaded';

export type RouterModelOption = {
  /** The model's name in /models and in the chats' `model` field. */
  id: string;
  status: RouterModelStatus;
  /** The child's context per slot (it runs with one slot). */
  nCtx: number;
};

/** A router (llama-server --models-dir): models started and stopped on demand, chats routed by `model`. */
export type RouterOptions = {
  models: RouterModelOption[];
  /** A chat to an unloaded model loads it (--models-autoload) instead of answering 400. */
  autoload: boolean;
  /** Children running at once (--models-max); loading one more evicts the least recently used. */
  maxInstances: number;
  /** How long a load or an unload takes: /models shows `loading` (or still `loaded`) meanwhile. */
  loadMs: number;
};

export type LlamaDoubleOptions = {
  /** Setting it (at start or in configure) also sets the other options to that build's preset (server-presets.ts). */
  server: ServerBuild;
  mode: LlamaMode;
  /** Content tokens of a generated reply when `reply` is null. */
  tokens: number;
  /** Pause before every token but the first. */
  tokenDelayMs: number;
  /** A fixed reply, sent as its word pieces (see tokenizer.ts); null: `tokens` deterministic words. */
  reply: string | null;
  /** Sent as `reasoning_content` deltas before the reply, as reasoning models do on newer servers. */
  reasoning: string | null;
  /** Reasoning tokens of deterministic words when `reasoning` is null (0: none). */
  reasoningTokens: number;
  /** How a reply that is not cut by max_tokens or a stop string ends. */
  finishReason: 'stop' | 'length';
  usage: UsageStyle;
  /** Newer servers open with a `delta: {role: "assistant", content: null}` chunk. */
  roleChunk: boolean;
  lineEnding: '\n' | '\r\n';
  /**
   * A `:` comment event after this long without data in a stream (modern: 30 s, its sse_ping_interval default);
   * 0: never. A request's `sse_ping_interval` (seconds, -1 off) overrides it.
   */
  ssePingMs: number;
  /** 0: one HTTP chunk per event, like llama.cpp; n: every event is written in n-byte pieces. */
  splitBytes: number;
  failure: FailureMode;
  failAfter: number;
  errorStyle: ErrorStyle;
  httpStatus: number;
  /** Overrides the message of http_error and stream_error_* failures. */
  errorMessage: string | null;
  nCtx: number;
  totalSlots: number;
  modelPath: string;
  /** --alias: the modern server names itself so in replies, /props and /v1/models (default: modelPath). */
  modelAlias: string | null;
  /** Prompt tokens reported as served from the prompt cache (modern `cache_n`), at most all but one. */
  cachedTokens: number;
  /**
   * Tokens the chat template adds to every prompt beyond the ChatML markers counted for each message: gpt-oss's adds
   * a system block of about 270 (a current server counted 279 prompt tokens for a one-line question).
   */
  templateTokens: number;
  propsStyle: PropsStyle;
  /** false: POST /tokenize answers 404, as a server without it would. */
  tokenize: boolean;
  /**
   * Every request that arrives on a kept-alive connection after its first is met with the connection closing,
   * unanswered: what a client sees when llama-server's keep-alive timeout (5 s) runs out as it sends a request.
   */
  closeReused: boolean;
  /** Router mode (modern only); null: a server of one model. */
  router: RouterOptions | null;
  /** Chat, embeddings or rerank server; the latter two are modern (their captures are) unless `server` is named. */
  serves: ServerKind;
  /** n_embd: the length of every embedding (the recorded model's is 64). */
  embeddingDimensions: number;
  /** -ub: an embedding or rerank input of more tokens is refused with llama.cpp's 500 (--embeddings sets -b to it). */
  ubatch: number;
  /** A pause before every embeddings or rerank answer, to give the double a known rate. */
  embeddingDelayMs: number;
};

export const DEFAULT_OPTIONS: Readonly<LlamaDoubleOptions> = Object.freeze({
  server: 'b4748',
  mode: 'ok',
  tokens: 12,
  tokenDelayMs: 0,
  reply: null,
  reasoning: null,
  reasoningTokens: 0,
  finishReason: 'stop',
  usage: 'finish',
  roleChunk: false,
  lineEnding: '\n',
  ssePingMs: 0,
  splitBytes: 0,
  failure: 'none',
  failAfter: 3,
  errorStyle: 'line',
  httpStatus: 500,
  errorMessage: null,
  nCtx: 1024,
  totalSlots: 2,
  modelPath: '/models/tiny-random-llama.gguf',
  modelAlias: null,
  cachedTokens: 0,
  templateTokens: 0,
  propsStyle: 'b4748',
  tokenize: true,
  closeReused: false,
  router: null,
  serves: 'chat',
  embeddingDimensions: 64,
  ubatch: 512,
  embeddingDelayMs: 0,
});

/**
 * What the server was started to serve: chat (no flag), `--embeddings` (mean pooling: /v1/embeddings, chat still
 * served) or `--rerank` (rank pooling: /v1/rerank, and /v1/embeddings answers all-zero vectors).
 */
export type ServerKind = 'chat' | 'embeddings' | 'rerank';

/** A router's settings but its models: llama-server's defaults (autoload on, --models-max 4), a quick load. */
export const DEFAULT_ROUTER: Readonly<Omit<RouterOptions, 'models'>> = Object.freeze({
  autoload: true,
  maxInstances: 4,
  loadMs: 50,
});
