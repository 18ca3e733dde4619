import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDotEnv } from '../../src/config/config.js';
import { EnvSchema } from '../../src/config/env.schema.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';

/** loadConfig's error for `env`, or a failure when it accepts it. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 8000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/gpt_oss.db',
      llmApiUrl: 'http://localhost:8080',
      corsOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      apiToken: null,
      debug: false,
      autoTitle: false,
      maxMessageLength: 10_000,
      maxNameLength: 200,
      maxTitleLength: 500,
      maxDescriptionLength: 5000,
      maxPageSize: 100,
      maxMessagesPageSize: 500,
      maxEventsPageSize: 1000,
      maxBodyBytes: 1024 * 1024,
      maxImportBytes: 64 * 1024 * 1024,
      metadataMaxBytes: 64 * 1024,
      metadataMaxDepth: 16,
      sseMaxPerClient: 8,
      eventsHeartbeatMs: 15_000,
      logLevel: 'info',
      llmTimeoutMs: 60_000,
      llmIdleTimeoutMs: 30_000,
      llmMaxConcurrency: null,
      llmMaxQueue: 16,
      workers: 1,
      shutdownTimeoutMs: 10_000,
      chatDetachGraceMs: 30_000,
      embeddingApiUrl: null,
      rerankApiUrl: null,
      maxDocumentBytes: 26_214_400,
      chunkTokens: 400,
      chunkOverlap: 50,
      retrievalCandidates: 30,
      retrievalTopK: 5,
      retrievalMaxTokens: 2000,
      knowledgeLeaseMs: 30_000,
      answerReserveTokens: 4096,
    });
  });

  it('treats an empty variable as unset and falls back to its default', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' });
    expect(config.port).toBe(8000);
    expect(config.databaseUrl).toBe('sqlite:./data/gpt_oss.db');
    expect(config.logLevel).toBe('info');
  });

  it('reads every variable when each is set to a valid value', () => {
    expect(
      loadConfig({
        PORT: '0',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgresql://user:secret@db.local:5432/app',
        LLM_API_URL: 'https://llm.local:8443/v1',
        CORS_ORIGINS: '*',
        API_TOKEN: 'sixteen-chars-ok',
        DEBUG: 'true',
        AUTO_TITLE: 'true',
        MAX_MESSAGE_LENGTH: '42',
        MAX_NAME_LENGTH: '20',
        MAX_TITLE_LENGTH: '30',
        MAX_DESCRIPTION_LENGTH: '40',
        MAX_PAGE_SIZE: '5',
        MAX_MESSAGES_PAGE_SIZE: '6',
        MAX_EVENTS_PAGE_SIZE: '7',
        MAX_BODY_BYTES: '2048',
        MAX_IMPORT_BYTES: '4096',
        METADATA_MAX_BYTES: '512',
        METADATA_MAX_DEPTH: '3',
        SSE_MAX_PER_CLIENT: '2',
        EVENTS_HEARTBEAT_MS: '100',
        LOG_LEVEL: 'silent',
        LLM_TIMEOUT_MS: '500',
        LLM_IDLE_TIMEOUT_MS: '250',
        LLM_MAX_CONCURRENCY: '3',
        LLM_MAX_QUEUE: '0',
        WORKERS: '4',
        SHUTDOWN_TIMEOUT_MS: '0',
        CHAT_DETACH_GRACE_MS: '0',
        ANSWER_RESERVE_TOKENS: '2048',
        EMBEDDING_API_URL: 'http://embed.local:8081/',
        RERANK_API_URL: 'http://rerank.local:8082',
        MAX_DOCUMENT_BYTES: '1024',
        CHUNK_TOKENS: '40',
        CHUNK_OVERLAP: '8',
        RETRIEVAL_CANDIDATES: '10',
        RETRIEVAL_TOP_K: '3',
        RETRIEVAL_MAX_TOKENS: '500',
        KNOWLEDGE_LEASE_MS: '2000',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://user:secret@db.local:5432/app',
      llmApiUrl: 'https://llm.local:8443/v1',
      corsOrigins: ['*'],
      apiToken: 'sixteen-chars-ok',
      debug: true,
      autoTitle: true,
      maxMessageLength: 42,
      maxNameLength: 20,
      maxTitleLength: 30,
      maxDescriptionLength: 40,
      maxPageSize: 5,
      maxMessagesPageSize: 6,
      maxEventsPageSize: 7,
      maxBodyBytes: 2048,
      maxImportBytes: 4096,
      metadataMaxBytes: 512,
      metadataMaxDepth: 3,
      sseMaxPerClient: 2,
      eventsHeartbeatMs: 100,
      logLevel: 'silent',
      llmTimeoutMs: 500,
      llmIdleTimeoutMs: 250,
      llmMaxConcurrency: 3,
      llmMaxQueue: 0,
      workers: 4,
      shutdownTimeoutMs: 0,
      chatDetachGraceMs: 0,
      answerReserveTokens: 2048,
      embeddingApiUrl: 'http://embed.local:8081',
      rerankApiUrl: 'http://rerank.local:8082',
      maxDocumentBytes: 1024,
      chunkTokens: 40,
      chunkOverlap: 8,
      retrievalCandidates: 10,
      retrievalTopK: 3,
      retrievalMaxTokens: 500,
      knowledgeLeaseMs: 2000,
    });
  });

  it('refuses an API_TOKEN shorter than 16 characters or with a space, without ever printing it', () => {
    for (const token of ['short-secret', 'sixteen chars ok']) {
      const error = configError({ API_TOKEN: token });
      expect(error.message).toMatch(/API_TOKEN/);
      expect(error.message).toMatch(/at least 16/);
      expect(error.message).not.toContain(token);
    }
  });

  it('reads WORKERS=auto as one worker per CPU core', () => {
    expect(loadConfig({ WORKERS: 'auto' }).workers).toBe(availableParallelism());
  });

  it.each(['0', '-1', 'two', '1.5', '1000'])('rejects WORKERS=%s naming the variable', (value) => {
    expect(() => loadConfig({ WORKERS: value })).toThrow(/WORKERS/);
  });

  it.each(['-1', '1.5', 'soon', '1e4'])('rejects CHAT_DETACH_GRACE_MS=%s naming the variable', (value) => {
    expect(() => loadConfig({ CHAT_DETACH_GRACE_MS: value })).toThrow(/CHAT_DETACH_GRACE_MS/);
  });

  it.each(['-1', '1.5', 'soon', '1e4'])('rejects SHUTDOWN_TIMEOUT_MS=%s naming the variable', (value) => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: value })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });

  it.each(['MAX_NAME_LENGTH', 'MAX_TITLE_LENGTH', 'MAX_DESCRIPTION_LENGTH', 'MAX_PAGE_SIZE'])(
    'rejects %s=0 naming the variable',
    (name) => {
      expect(() => loadConfig({ [name]: '0' })).toThrow(new RegExp(name));
    },
  );

  it.each(['MAX_PAGE_SIZE', 'MAX_MESSAGES_PAGE_SIZE', 'MAX_EVENTS_PAGE_SIZE'])(
    'rejects %s=100000, a page no database should be asked for at once',
    (name) => {
      expect(() => loadConfig({ [name]: '100000' })).toThrow(new RegExp(name));
    },
  );

  it('accepts 65535 as the highest port', () => {
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('reads DEBUG=1 as true and DEBUG=0 as false', () => {
    expect(loadConfig({ DEBUG: '1' }).debug).toBe(true);
    expect(loadConfig({ DEBUG: '0' }).debug).toBe(false);
    expect(loadConfig({ DEBUG: 'false' }).debug).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['LLM_API_URL', 'ftp://x'],
    ['DEBUG', 'maybe'],
    ['MAX_MESSAGE_LENGTH', '0'],
    ['MAX_MESSAGE_LENGTH', 'ten'],
    ['MAX_BODY_BYTES', '0'],
    ['MAX_BODY_BYTES', '1MB'],
    ['METADATA_MAX_BYTES', '-1'],
    ['METADATA_MAX_DEPTH', '0'],
    ['METADATA_MAX_DEPTH', '64'],
    ['METADATA_MAX_DEPTH', '100'],
    ['SSE_MAX_PER_CLIENT', '0'],
    ['EVENTS_HEARTBEAT_MS', '0'],
    ['EVENTS_HEARTBEAT_MS', 'often'],
    ['LOG_LEVEL', 'loud'],
  ])('throws a ConfigError naming %s when it is %j', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
  });

  it('names every bad variable when several are wrong at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', HOST: 'localhost' });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('LOG_LEVEL');
    expect(error.message).not.toContain('HOST');
  });

  it('splits CORS_ORIGINS on commas, trims each origin and drops empty ones', () => {
    const config = loadConfig({ CORS_ORIGINS: ' http://a.test , http://b.test:3000,, ' });
    expect(config.corsOrigins).toEqual(['http://a.test', 'http://b.test:3000']);
  });

  it('drops the trailing slashes of LLM_API_URL', () => {
    expect(loadConfig({ LLM_API_URL: 'http://127.0.0.1:8080/' }).llmApiUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ LLM_API_URL: 'http://127.0.0.1:8080/api//' }).llmApiUrl).toBe('http://127.0.0.1:8080/api');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'x', NODE_ENV: 'production' })).toEqual(loadConfig({}));
  });
});

describe('loadDotEnv', () => {
  const names = ['GPT_OSS_TEST_FROM_FILE', 'GPT_OSS_TEST_ALREADY_SET', 'GPT_OSS_TEST_QUOTED', 'PORT', 'LOG_LEVEL'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  let dir: string | undefined;

  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function dotEnv(text: string): string {
    dir = mkdtempSync(join(tmpdir(), 'gpt-oss-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, text);
    return path;
  }

  it('loads the variables of the .env file at the given path into process.env', () => {
    delete process.env.GPT_OSS_TEST_FROM_FILE;
    delete process.env.GPT_OSS_TEST_QUOTED;
    loadDotEnv(dotEnv('# a comment\nGPT_OSS_TEST_FROM_FILE=from-file\nGPT_OSS_TEST_QUOTED="a b"\n'));
    expect(process.env.GPT_OSS_TEST_FROM_FILE).toBe('from-file');
    expect(process.env.GPT_OSS_TEST_QUOTED).toBe('a b');
  });

  it('does not override a variable already set in the environment', () => {
    process.env.GPT_OSS_TEST_ALREADY_SET = 'real';
    delete process.env.GPT_OSS_TEST_FROM_FILE;
    loadDotEnv(dotEnv('GPT_OSS_TEST_ALREADY_SET=from-file\nGPT_OSS_TEST_FROM_FILE=from-file\n'));
    expect(process.env.GPT_OSS_TEST_ALREADY_SET).toBe('real');
    expect(process.env.GPT_OSS_TEST_FROM_FILE).toBe('from-file');
  });

  it('does nothing when there is no file at the path', () => {
    dir = mkdtempSync(join(tmpdir(), 'gpt-oss-env-'));
    const before = { ...process.env };
    expect(() => loadDotEnv(join(dir!, '.env'))).not.toThrow();
    expect(process.env).toEqual(before);
  });

  it('feeds loadConfig: values from the .env file are used unless the environment sets them', () => {
    delete process.env.PORT;
    process.env.LOG_LEVEL = 'warn';
    loadDotEnv(dotEnv('PORT=1234\nLOG_LEVEL=debug\n'));
    const config = loadConfig();
    expect(config.port).toBe(1234);
    expect(config.logLevel).toBe('warn');
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./x.db', './x.db'],
    ['sqlite:///./x.db', './x.db'],
    ['sqlite:////abs/x.db', '/abs/x.db'],
    ['sqlite:/abs/x.db', '/abs/x.db'],
    ['sqlite:./data/gpt_oss.db', './data/gpt_oss.db'],
  ])('reads %s as the SQLite file %s', (url, file) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'sqlite', file });
  });

  it.each(['postgres://user@localhost:5432/app', 'postgresql://user:secret@127.0.0.1/app?sslmode=disable'])(
    'reads %s as a PostgreSQL URL, kept whole',
    (url) => {
      expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgresql', url });
    },
  );

  it.each(['mysql://x', 'sqlite:', 'postgresql://', 'x.db'])('rejects %j naming DATABASE_URL', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(/DATABASE_URL/);
  });
});

describe('the documented environment', () => {
  const readme = readFileSync('README.md', 'utf8');
  const example = readFileSync('.env.example', 'utf8');

  it.each(Object.entries(EnvSchema.properties))(
    '%s is in .env.example with its default and in the README table',
    (name, schema) => {
      const fallback = (schema as { default?: string }).default ?? '';
      const line = example.split('\n').find((l) => l.startsWith(`${name}=`));
      expect(line, `.env.example has no ${name}=`).toBeDefined();
      if (name !== 'API_TOKEN') expect(line).toBe(`${name}=${fallback}`);
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    },
  );
});
