import { parseDatabaseUrl } from '../db/database-url.js';
import { runSql } from '../db/run-sql.js';
import type { Database } from '../db/connect-database.js';
import type { Logger } from '../logger.js';
import { holdInstanceLock } from './advisory-lock.js';
import { startHeartbeat } from './heartbeat.js';

export type Liveness = {
  /** Records that this process generates the answer stored in `messageId`; before the answer starts. */
  claim: (messageId: string) => Promise<void>;
  /** After the answer's end was recorded; never fails. */
  release: (messageId: string) => Promise<void>;
  /** Withdraws this process and its claims; never fails. */
  stop: () => Promise<void>;
};

/**
 * What lets every process tell a live answer from an abandoned one: claims in `generations`, and a sign of life
 * (a heartbeat row on SQLite, an advisory lock on PostgreSQL; see alive-sql.ts for how others read it).
 */
export async function startLiveness(
  db: Database,
  databaseUrl: string,
  instanceId: string,
  logger: Logger,
  options: { alone: boolean },
): Promise<Liveness> {
  const target = parseDatabaseUrl(databaseUrl);
  // A process alone on its SQLite file has nobody to show its liveness to; it spares the disk a write every 5 s.
  const withdraw =
    target.kind === 'postgresql'
      ? await holdInstanceLock(target.url, instanceId, logger)
      : options.alone
        ? async () => undefined
        : await startHeartbeat(db.em, instanceId, logger);
  const now = Date.now;
  return {
    async claim(messageId) {
      await runSql(db.em(), 'insert into generations (message_id, instance_id, started_at) values (?, ?, ?)', [
        messageId,
        instanceId,
        now(),
      ]);
    },
    async release(messageId) {
      await runSql(db.em(), 'delete from generations where message_id = ?', [messageId]).catch((error: unknown) =>
        logger.warn({ err: error, message_id: messageId }, 'could not release a claim'),
      );
    },
    // Best effort: what a stopped process leaves behind, the others clean up once they see it is gone.
    async stop() {
      await db
        .em()
        .execute('delete from generations where instance_id = ?', [instanceId], 'run')
        .catch((error: unknown) => logger.warn({ err: error }, 'could not withdraw the claims'));
      await withdraw().catch((error: unknown) => logger.warn({ err: error }, 'could not withdraw the sign of life'));
    },
  };
}
