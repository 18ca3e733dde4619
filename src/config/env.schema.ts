import { Type, type Static } from 'typebox';

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);

/** Every environment variable the service reads, with its default. `.env.example` lists the same. */
export const EnvSchema = Type.Object({
  PORT: Type.String({ pattern: '^[0-9]{1,5}$', default: '8000' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$', default: 'sqlite:./data/gpt_oss.db' }),
  LLM_API_URL: Type.String({ pattern: '^https?://.+', default: 'http://localhost:8080' }),
  CORS_ORIGINS: Type.String({ default: 'http://localhost:3000,http://127.0.0.1:3000' }),
  // Long enough that guessing it is hopeless; no spaces, so it survives the Authorization header unchanged.
  API_TOKEN: Type.String({ pattern: '^([\\x21-\\x7e]{16,})?$', default: '' }),
  DEBUG: Type.Union([Bool], { default: 'false' }),
  AUTO_TITLE: Type.Union([Bool], { default: 'false' }),
  MAX_MESSAGE_LENGTH: Type.String({ pattern: '^[1-9][0-9]*$', default: '10000' }),
  MAX_NAME_LENGTH: Type.String({ pattern: '^[1-9][0-9]*$', default: '200' }),
  MAX_TITLE_LENGTH: Type.String({ pattern: '^[1-9][0-9]*$', default: '500' }),
  MAX_DESCRIPTION_LENGTH: Type.String({ pattern: '^[1-9][0-9]*$', default: '5000' }),
  MAX_PAGE_SIZE: Type.String({ pattern: '^[1-9][0-9]{0,4}$', default: '100' }),
  MAX_MESSAGES_PAGE_SIZE: Type.String({ pattern: '^[1-9][0-9]{0,4}$', default: '500' }),
  MAX_EVENTS_PAGE_SIZE: Type.String({ pattern: '^[1-9][0-9]{0,4}$', default: '1000' }),
  MAX_BODY_BYTES: Type.String({ pattern: '^[1-9][0-9]*$', default: '1048576' }),
  MAX_IMPORT_BYTES: Type.String({ pattern: '^[1-9][0-9]*$', default: '67108864' }),
  METADATA_MAX_BYTES: Type.String({ pattern: '^[1-9][0-9]*$', default: '65536' }),
  METADATA_MAX_DEPTH: Type.String({ pattern: '^[1-9][0-9]?$', default: '16' }),
  SSE_MAX_PER_CLIENT: Type.String({ pattern: '^[1-9][0-9]*$', default: '8' }),
  EVENTS_HEARTBEAT_MS: Type.String({ pattern: '^[1-9][0-9]{0,8}$', default: '15000' }),
  LLM_TIMEOUT_MS: Type.String({ pattern: '^[1-9][0-9]*$', default: '60000' }),
  LLM_IDLE_TIMEOUT_MS: Type.String({ pattern: '^[1-9][0-9]*$', default: '30000' }),
  LLM_MAX_CONCURRENCY: Type.String({ pattern: '^([1-9][0-9]*)?$', default: '' }),
  LLM_MAX_QUEUE: Type.String({ pattern: '^[0-9]+$', default: '16' }),
  ANSWER_RESERVE_TOKENS: Type.String({ pattern: '^[1-9][0-9]{0,6}$', default: '4096' }),
  WORKERS: Type.String({ pattern: '^(auto|[1-9][0-9]{0,2})$', default: '1' }),
  SHUTDOWN_TIMEOUT_MS: Type.String({ pattern: '^[0-9]{1,9}$', default: '10000' }),
  CHAT_DETACH_GRACE_MS: Type.String({ pattern: '^[0-9]{1,9}$', default: '30000' }),
  EMBEDDING_API_URL: Type.String({ pattern: '^(https?://.+)?$', default: '' }),
  RERANK_API_URL: Type.String({ pattern: '^(https?://.+)?$', default: '' }),
  MAX_DOCUMENT_BYTES: Type.String({ pattern: '^[1-9][0-9]{3,}$', default: '26214400' }),
  CHUNK_TOKENS: Type.String({ pattern: '^[1-9][0-9]{0,5}$', default: '400' }),
  CHUNK_OVERLAP: Type.String({ pattern: '^[0-9]{1,6}$', default: '50' }),
  RETRIEVAL_CANDIDATES: Type.String({ pattern: '^[1-9][0-9]{0,3}$', default: '30' }),
  RETRIEVAL_TOP_K: Type.String({ pattern: '^[1-9][0-9]{0,2}$', default: '5' }),
  RETRIEVAL_MAX_TOKENS: Type.String({ pattern: '^[1-9][0-9]{0,6}$', default: '2000' }),
  KNOWLEDGE_LEASE_MS: Type.String({ pattern: '^[1-9][0-9]{2,6}$', default: '30000' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
});

export type RawEnv = Static<typeof EnvSchema>;
