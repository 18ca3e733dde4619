import { parseArgs } from 'node:util';
import { routerFromFlags } from './cli-router-args.js';
import {
  FAILURE_MODES,
  type ErrorStyle,
  type FailureMode,
  type LlamaDoubleOptions,
  type PropsStyle,
  type ServerBuild,
  type ServerKind,
  type UsageStyle,
} from './options.js';

export const USAGE = `Usage: npm run fake-llm -- [options]     a llama.cpp-compatible server for development and tests

  --port <n>            port (default: PORT or 8080; 0 picks a free one)
  --host <addr>         address to listen on (default 127.0.0.1)
  --server b4748|modern the llama-server build to speak like (default b4748, February 2025; modern: September
                        2026, whose preset sends a role chunk, reasoning, usage only on request, 2048 per slot)
  --tokens <n>          content tokens of a reply (default 12)
  --delay <ms>          pause between tokens (default 0)
  --reply <text>        a fixed reply instead of generated words
  --reasoning <text>    reasoning_content sent before the reply
  --reasoning-tokens <n>  generated reasoning tokens when --reasoning is not given (default 0; modern 8)
  --finish stop|length  finish_reason of a reply not cut by max_tokens (default stop)
  --usage finish|separate|none|requested   where usage goes (default finish, as b4748; modern: requested,
                        a last choices:[] chunk only with stream_options.include_usage)
  --cached-tokens <n>   prompt tokens reported as cached (modern cache_n, prompt_tokens_details)
  --template-tokens <n> tokens the chat template adds to every prompt (gpt-oss's: about 270; default 0)
  --role-chunk          open streams with a delta.role chunk (newer servers)
  --crlf                end SSE lines with CRLF
  --sse-ping-ms <ms>    a ':' comment event after this long without data (default 0: never; modern 30000)
  --split-bytes <n>     write every event in n-byte HTTP chunks
  --failure <mode>      ${FAILURE_MODES.join(' | ')}
  --fail-after <n>      tokens sent before a mid-stream failure (default 3)
  --error-style line|data|http   how context_overflow is reported (default line; modern http)
  --http-status <n>     status of http_error (default 500)
  --error-message <s>   message of http_error and stream_error_* failures
  --loading-ms <ms>     answer 503 "Loading model" for this long after start
  --n-ctx <n>           context per slot (default 1024; modern 2048, which refuses a prompt that fills it)
  --slots <n>           total_slots in /props (default 2)
  --model-path <path>   model_path in /props (modern: also the model's name in replies, without an alias)
  --model-alias <name>  --alias: model_alias in /props; the modern server names its model so in replies
  --props-style b4748|newer|modern
  --router-model <id>[,loaded|unloaded][,n_ctx]   router mode (modern): a model of the router, repeatable
                        (default unloaded, n_ctx 4096)
  --no-models-autoload  a chat to an unloaded model answers 400 instead of loading it
  --models-max <n>      children running at once; one more evicts the least recently used (default 4)
  --model-load-ms <ms>  how long loading or unloading a router model takes (default 50)
  --no-tokenize         POST /tokenize answers 404
  --embeddings          an embeddings server (llama-server --embeddings --pooling mean): /v1/embeddings, /embedding;
                        chat answers the harmony parse error unless the request has a grammar; modern unless --server
  --rerank              a rerank server (--rerank): /v1/rerank, /rerank, /v1/reranking, /reranking; /v1/embeddings
                        answers all-zero vectors
  --embedding-dimensions <n>  n_embd, the length of every embedding (default 64)
  --ubatch-size <n>     -ub: an embedding or rerank input of more tokens answers 500 (default 512)
  --embedding-delay-ms <ms>  pause before every embeddings or rerank answer (default 0)
  --help`;

export type CliConfig = { port: number; host: string; loadingMs: number; options: Partial<LlamaDoubleOptions> };

/** The CLI's flags as double options; throws an Error naming the bad flag. */
export function parseCliArgs(args: string[], env: NodeJS.ProcessEnv = process.env): CliConfig | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      server: { type: 'string' },
      'reasoning-tokens': { type: 'string' },
      'cached-tokens': { type: 'string' },
      'template-tokens': { type: 'string' },
      'sse-ping-ms': { type: 'string' },
      'router-model': { type: 'string', multiple: true },
      'no-models-autoload': { type: 'boolean' },
      'models-max': { type: 'string' },
      'model-load-ms': { type: 'string' },
      tokens: { type: 'string' },
      delay: { type: 'string' },
      reply: { type: 'string' },
      reasoning: { type: 'string' },
      finish: { type: 'string' },
      usage: { type: 'string' },
      'role-chunk': { type: 'boolean' },
      crlf: { type: 'boolean' },
      'split-bytes': { type: 'string' },
      failure: { type: 'string' },
      'fail-after': { type: 'string' },
      'error-style': { type: 'string' },
      'http-status': { type: 'string' },
      'error-message': { type: 'string' },
      'loading-ms': { type: 'string' },
      'n-ctx': { type: 'string' },
      slots: { type: 'string' },
      'model-path': { type: 'string' },
      'model-alias': { type: 'string' },
      'props-style': { type: 'string' },
      'no-tokenize': { type: 'boolean' },
      embeddings: { type: 'boolean' },
      rerank: { type: 'boolean' },
      'embedding-dimensions': { type: 'string' },
      'ubatch-size': { type: 'string' },
      'embedding-delay-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const int = (flag: string, value: string | undefined) => (value === undefined ? undefined : integer(flag, value));
  const router = routerFromFlags({
    models: values['router-model'] ?? [],
    autoload: !values['no-models-autoload'],
    maxInstances: int('--models-max', values['models-max']),
    loadMs: int('--model-load-ms', values['model-load-ms']),
  });
  const options: Partial<LlamaDoubleOptions> = {
    server: oneOf<ServerBuild>('--server', values.server, ['b4748', 'modern']) ?? (router ? 'modern' : undefined),
    router: router ?? undefined,
    reasoningTokens: int('--reasoning-tokens', values['reasoning-tokens']),
    cachedTokens: int('--cached-tokens', values['cached-tokens']),
    templateTokens: int('--template-tokens', values['template-tokens']),
    ssePingMs: int('--sse-ping-ms', values['sse-ping-ms']),
    tokens: int('--tokens', values.tokens),
    tokenDelayMs: int('--delay', values.delay),
    reply: values.reply,
    reasoning: values.reasoning,
    finishReason: oneOf<'stop' | 'length'>('--finish', values.finish, ['stop', 'length']),
    usage: oneOf<UsageStyle>('--usage', values.usage, ['finish', 'separate', 'none', 'requested']),
    roleChunk: values['role-chunk'],
    lineEnding: values.crlf ? '\r\n' : undefined,
    splitBytes: int('--split-bytes', values['split-bytes']),
    failure: oneOf<FailureMode>('--failure', values.failure, FAILURE_MODES),
    failAfter: int('--fail-after', values['fail-after']),
    errorStyle: oneOf<ErrorStyle>('--error-style', values['error-style'], ['line', 'data', 'http']),
    httpStatus: int('--http-status', values['http-status']),
    errorMessage: values['error-message'],
    nCtx: int('--n-ctx', values['n-ctx']),
    totalSlots: int('--slots', values.slots),
    modelPath: values['model-path'],
    modelAlias: values['model-alias'],
    propsStyle: oneOf<PropsStyle>('--props-style', values['props-style'], ['b4748', 'newer', 'modern']),
    tokenize: values['no-tokenize'] ? false : undefined,
    serves: serverKind(values.embeddings === true, values.rerank === true),
    embeddingDimensions: positive(
      '--embedding-dimensions',
      int('--embedding-dimensions', values['embedding-dimensions']),
    ),
    ubatch: positive('--ubatch-size', int('--ubatch-size', values['ubatch-size'])),
    embeddingDelayMs: int('--embedding-delay-ms', values['embedding-delay-ms']),
  };
  return {
    port: integer('--port', values.port ?? env.PORT ?? '8080'),
    host: values.host ?? '127.0.0.1',
    loadingMs: int('--loading-ms', values['loading-ms']) ?? 0,
    options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
}

function integer(flag: string, value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) {
    throw new Error(`${flag} wants a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function positive(flag: string, value: number | undefined): number | undefined {
  if (value === 0) throw new Error(`${flag} wants a whole number >= 1, got 0`);
  return value;
}

function serverKind(embeddings: boolean, rerank: boolean): ServerKind | undefined {
  if (embeddings && rerank) throw new Error('--embeddings and --rerank exclude each other');
  return embeddings ? 'embeddings' : rerank ? 'rerank' : undefined;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${flag} wants one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
