import { freshDatabaseUrl, startServer, type BenchServer } from './processes.js';
import { waitForIndexing } from './knowledge-client.js';
import { seedKnowledge, servedModel, type SeededProject } from './seed-knowledge.js';
import { migrate, rebuildReadModels, writeLog } from './seed-log.js';

/** The chunk size the knowledge scenarios cut with: small, so 100,000 chunks are 32 MB of text, not 130. */
export const CHUNK_TOKENS = 100;
export const CHUNK_OVERLAP = 10;
/** Chunks of CHUNK_TOKENS the corpus gives per byte of Markdown (3,167 a MB, by the double's tokenizer). */
const BYTES_PER_CHUNK = 316;
const MAX_BYTES_PER_DOCUMENT = 8_000_000;
/** llama.cpp's default -ub (512) less the room the server keeps for an embedding's special tokens. */
const MAX_TOKENS = 504;

export const knowledgeEnv = (embeddingUrl: string) => ({
  EMBEDDING_API_URL: embeddingUrl,
  CHUNK_TOKENS: String(CHUNK_TOKENS),
  CHUNK_OVERLAP: String(CHUNK_OVERLAP),
});

export type Seeding = {
  /** Generating and cutting the text, in this process. */
  cutSeconds: number;
  /** Writing the events to the log and `projections:rebuild` building the read models. */
  logSeconds: number;
  /** The server embedding every chunk through the double, from its start to the last chunk embedded. */
  embedSeconds: number;
  /** RSS of the server right after its start, before it embedded anything. */
  startedRssMb: number;
};

export type SeededServer = { server: BenchServer; project: SeededProject; seeding: Seeding; databaseUrl: string };

/**
 * A database with one project of about `chunks` chunks, as uploads and the indexer would leave it: its events
 * written straight into the log (seed-knowledge.ts), the read models built by `projections:rebuild`, then the
 * production server started on it embeds every chunk through the embedding double. `use` gets the server after the
 * last chunk is embedded; the server and the database are gone afterwards.
 */
export async function withSeededKnowledge<T>(
  options: { chunks: number; embeddingUrl: string; env: Record<string, string>; log: (line: string) => void },
  use: (seeded: SeededServer) => Promise<T>,
): Promise<T> {
  const { log } = options;
  const bytes = options.chunks * BYTES_PER_CHUNK;
  const documents = Math.ceil(bytes / MAX_BYTES_PER_DOCUMENT);
  const database = await freshDatabaseUrl();
  try {
    await migrate(database.url);
    let started = performance.now();
    const project = await seedKnowledge(
      {
        documents,
        bytesPerDocument: Math.ceil(bytes / documents),
        chunkTokens: CHUNK_TOKENS,
        overlapTokens: CHUNK_OVERLAP,
        model: await servedModel(options.embeddingUrl),
        maxTokens: MAX_TOKENS,
      },
      options.chunks,
    );
    const cutSeconds = (performance.now() - started) / 1000;
    log(`  ${project.chunks} chunks in ${documents} documents cut in ${cutSeconds.toFixed(1)} s`);
    started = performance.now();
    await writeLog(database.url, project.rows);
    const rebuilt = await rebuildReadModels(database.url, log);
    const logSeconds = (performance.now() - started) / 1000;
    log(`  log written and read models built in ${logSeconds.toFixed(1)} s (rebuild ${rebuilt.seconds} s)`);
    started = performance.now();
    const server = await startServer({ DATABASE_URL: database.url, ...options.env });
    const startedRssMb = server.rssMb();
    try {
      const indexed = await waitForIndexing(server.url, project.projectId, log, 200);
      if (indexed.progress.embedded !== project.chunks) {
        throw new Error(`${indexed.progress.embedded} chunks embedded, ${project.chunks} seeded`);
      }
      const embedSeconds = (performance.now() - started) / 1000;
      log(`  embedded by the server in ${embedSeconds.toFixed(1)} s`);
      const seeding = { cutSeconds, logSeconds, embedSeconds, startedRssMb };
      return await use({ server, project, seeding, databaseUrl: database.url });
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}
