/** ok: the model is loaded; loading: every endpoint answers 503 "Loading model"; silent: nothing is answered. */
export type LlamaMode = 'ok' | 'loading' | 'silent';

/**
 * How /v1/chat/completions misbehaves (none: it answers like the captures).
 * - http_error: `httpStatus` with llama.cpp's {"error":{code,message,type}} body, before any stream.
 * - loading: 503 "Loading model" for chat only.
 * - stream_error_line: after `failAfter` tokens, an old-style `error: {...}` line, then `data: [DONE]` (b4748).
 * - stream_error_data: after `failAfter` tokens, a newer-style `data: {"error":{...}}` event, then `data: [DONE]`.
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
/** finish: usage on the finish chunk (b4748); separate: a last chunk with empty choices (newer); none: no usage. */
export type UsageStyle = 'finish' | 'separate' | 'none';
/** b4748: as props.txt; newer: top-level n_ctx and model_alias, no default_generation_settings.n_ctx. */
export type PropsStyle = 'b4748' | 'newer';

export type LlamaDoubleOptions = {
  mode: LlamaMode;
  /** Content tokens of a generated reply when `reply` is null. */
  tokens: number;
  /** Pause before every token but the first. */
  tokenDelayMs: number;
  /** A fixed reply, sent as its word pieces (see tokenizer.ts); null: `tokens` deterministic words. */
  reply: string | null;
  /** Sent as `reasoning_content` deltas before the reply, as reasoning models do on newer servers. */
  reasoning: string | null;
  /** How a reply that is not cut by max_tokens or a stop string ends. */
  finishReason: 'stop' | 'length';
  usage: UsageStyle;
  /** Newer servers open with a `delta: {role: "assistant", content: null}` chunk. */
  roleChunk: boolean;
  lineEnding: '\n' | '\r\n';
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
  modelAlias: string | null;
  propsStyle: PropsStyle;
  /** false: POST /tokenize answers 404, as a server without it would. */
  tokenize: boolean;
  /**
   * Every request that arrives on a kept-alive connection after its first is met with the connection closing,
   * unanswered: what a client sees when llama-server's keep-alive timeout (5 s) runs out as it sends a request.
   */
  closeReused: boolean;
};

export const DEFAULT_OPTIONS: Readonly<LlamaDoubleOptions> = Object.freeze({
  mode: 'ok',
  tokens: 12,
  tokenDelayMs: 0,
  reply: null,
  reasoning: null,
  finishReason: 'stop',
  usage: 'finish',
  roleChunk: false,
  lineEnding: '\n',
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
  propsStyle: 'b4748',
  tokenize: true,
  closeReused: false,
});
