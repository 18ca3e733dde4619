import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { MAX_JSON_DEPTH } from '../http/json-depth.js';
import { EnvSchema } from './env.schema.js';

export type Config = {
  port: number;
  host: string;
  databaseUrl: string;
  llmApiUrl: string;
  corsOrigins: string[];
  /** When set, every /api route needs `Authorization: Bearer <apiToken>`. */
  apiToken: string | null;
  debug: boolean;
  /** The model names a conversation after its first answer, unless a person named it. */
  autoTitle: boolean;
  maxMessageLength: number;
  /** Longest project name, in characters. */
  maxNameLength: number;
  /** Longest conversation title, in characters. */
  maxTitleLength: number;
  /** Longest project description, in characters. */
  maxDescriptionLength: number;
  /** Largest page of projects and conversations a client may ask for. */
  maxPageSize: number;
  /** Largest page of messages a client may ask for. */
  maxMessagesPageSize: number;
  /** Largest page of the event log a client may ask for. */
  maxEventsPageSize: number;
  /** Largest JSON request body; a larger one is refused with 413. */
  maxBodyBytes: number;
  /** Largest body of POST /api/conversations/import (a whole export); a larger one is refused with 413. */
  maxImportBytes: number;
  /** Largest `metadata` object of a request, in bytes of its JSON. */
  metadataMaxBytes: number;
  /** Deepest `metadata` object of a request, in levels of objects and arrays (the object itself is one). */
  metadataMaxDepth: number;
  /** Event streams (chat, regenerate, resume, live event feed) one client address may have open at once, per process. */
  sseMaxPerClient: number;
  /** The live event feed (GET /api/events/stream) sends a `: ping` comment after this long without an event. */
  eventsHeartbeatMs: number;
  logLevel: string;
  /** No first token within this long fails the answer with `timeout`. */
  llmTimeoutMs: number;
  /** Silence between two tokens longer than this fails the answer with `timeout`. */
  llmIdleTimeoutMs: number;
  /** Generations at once; null: as many as llama.cpp has slots (`total_slots` of /props). */
  llmMaxConcurrency: number | null;
  /** Chats waiting for a slot; one more is refused with 429. */
  llmMaxQueue: number;
  /** Context kept for a reasoning model's thinking and answer when a chat sets no max_tokens (at most half). */
  answerReserveTokens: number;
  /** Worker processes behind the one port (node:cluster); 1 runs the server in this process. */
  workers: number;
  /** On SIGTERM or SIGINT, running answers get this long to finish before they are cancelled. */
  shutdownTimeoutMs: number;
  /** An answer nobody listens to any more goes on this long (a page reload), then is cancelled; 0: at once. */
  chatDetachGraceMs: number;
  /** A llama-server started with --embeddings; null: knowledge retrieves by full text only. */
  embeddingApiUrl: string | null;
  /** A llama-server started with --rerank; null: candidates are ranked by fusion alone. */
  rerankApiUrl: string | null;
  /** Largest uploaded document, in bytes (at least 1 KB); a larger one is refused with 413. */
  maxDocumentBytes: number;
  /** About how many tokens of the embedding server's tokenizer a chunk holds, and how many the next repeats. */
  chunkTokens: number;
  chunkOverlap: number;
  /** Chunks taken from each ranking (vector, full text) before fusion. */
  retrievalCandidates: number;
  /** Sources put into a chat's prompt, at most, and their tokens at most. */
  retrievalTopK: number;
  retrievalMaxTokens: number;
  /** How long a document's indexing lease lasts unrenewed: a process killed while indexing blocks it this long. */
  knowledgeLeaseMs: number;
};

const validator = Compile(EnvSchema);

export class ConfigError extends Error {}

/** Reads and validates the environment; a bad value names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.properties)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const raw = Value.Default(EnvSchema, known);
  const errors = [...validator.Errors(raw)];
  if (errors.length > 0) {
    const names = [...new Set(errors.map((e) => e.instancePath.slice(1) || e.message))];
    throw new ConfigError(names.map((name) => invalid(name, known[name] ?? '')).join('; '));
  }
  const valid = validator.Parse(raw);
  const port = Number(valid.PORT);
  if (port > 65535) throw new ConfigError(`Invalid environment variable PORT=${valid.PORT}: above 65535`);
  const metadataMaxDepth = Number(valid.METADATA_MAX_DEPTH);
  if (metadataMaxDepth >= MAX_JSON_DEPTH) {
    throw new ConfigError(
      `Invalid environment variable METADATA_MAX_DEPTH=${metadataMaxDepth}: at most ${MAX_JSON_DEPTH - 1}, as a body nests at most ${MAX_JSON_DEPTH} levels`,
    );
  }
  return {
    port,
    host: valid.HOST,
    databaseUrl: valid.DATABASE_URL,
    llmApiUrl: valid.LLM_API_URL.replace(/\/+$/, ''),
    corsOrigins: valid.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    apiToken: valid.API_TOKEN === '' ? null : valid.API_TOKEN,
    debug: valid.DEBUG === 'true' || valid.DEBUG === '1',
    autoTitle: valid.AUTO_TITLE === 'true' || valid.AUTO_TITLE === '1',
    maxMessageLength: Number(valid.MAX_MESSAGE_LENGTH),
    maxNameLength: Number(valid.MAX_NAME_LENGTH),
    maxTitleLength: Number(valid.MAX_TITLE_LENGTH),
    maxDescriptionLength: Number(valid.MAX_DESCRIPTION_LENGTH),
    maxPageSize: Number(valid.MAX_PAGE_SIZE),
    maxMessagesPageSize: Number(valid.MAX_MESSAGES_PAGE_SIZE),
    maxEventsPageSize: Number(valid.MAX_EVENTS_PAGE_SIZE),
    maxBodyBytes: Number(valid.MAX_BODY_BYTES),
    maxImportBytes: Number(valid.MAX_IMPORT_BYTES),
    metadataMaxBytes: Number(valid.METADATA_MAX_BYTES),
    metadataMaxDepth,
    sseMaxPerClient: Number(valid.SSE_MAX_PER_CLIENT),
    eventsHeartbeatMs: Number(valid.EVENTS_HEARTBEAT_MS),
    logLevel: valid.LOG_LEVEL,
    llmTimeoutMs: Number(valid.LLM_TIMEOUT_MS),
    llmIdleTimeoutMs: Number(valid.LLM_IDLE_TIMEOUT_MS),
    llmMaxConcurrency: valid.LLM_MAX_CONCURRENCY === '' ? null : Number(valid.LLM_MAX_CONCURRENCY),
    llmMaxQueue: Number(valid.LLM_MAX_QUEUE),
    answerReserveTokens: Number(valid.ANSWER_RESERVE_TOKENS),
    workers: valid.WORKERS === 'auto' ? availableParallelism() : Number(valid.WORKERS),
    shutdownTimeoutMs: Number(valid.SHUTDOWN_TIMEOUT_MS),
    chatDetachGraceMs: Number(valid.CHAT_DETACH_GRACE_MS),
    embeddingApiUrl: valid.EMBEDDING_API_URL === '' ? null : valid.EMBEDDING_API_URL.replace(/\/+$/, ''),
    rerankApiUrl: valid.RERANK_API_URL === '' ? null : valid.RERANK_API_URL.replace(/\/+$/, ''),
    maxDocumentBytes: Number(valid.MAX_DOCUMENT_BYTES),
    chunkTokens: Number(valid.CHUNK_TOKENS),
    chunkOverlap: Number(valid.CHUNK_OVERLAP),
    retrievalCandidates: Number(valid.RETRIEVAL_CANDIDATES),
    retrievalTopK: Number(valid.RETRIEVAL_TOP_K),
    retrievalMaxTokens: Number(valid.RETRIEVAL_MAX_TOKENS),
    knowledgeLeaseMs: Number(valid.KNOWLEDGE_LEASE_MS),
  };
}

/** A secret's value never reaches a log: only what is wrong with it. */
function invalid(name: string, value: string): string {
  if (name === 'API_TOKEN') {
    return `Invalid environment variable API_TOKEN (value hidden, ${value.length} characters): it needs at least 16 printable ASCII characters and no spaces`;
  }
  return `Invalid environment variable ${name}=${JSON.stringify(value)}`;
}

/** Loads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
