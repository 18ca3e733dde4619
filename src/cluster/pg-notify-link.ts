import pg from 'pg';
import type { Logger } from '../logger.js';
import { createHandlers } from './handlers.js';
import type { ReceivedSignal, SignalLink } from './signals.js';

const CHANNEL = 'assistant_signals';
const RECONNECT_MS = 1000;

/**
 * PostgreSQL LISTEN/NOTIFY between every process on one database: workers and instances on other machines
 * alike. One dedicated connection both listens and notifies, so one sender's signals keep their order.
 * While the connection is down signals are dropped (and logged); it reconnects by itself.
 */
export async function createPgNotifyLink(url: string, instanceId: string, logger: Logger): Promise<SignalLink> {
  const handlers = createHandlers((error) => logger.error({ err: error }, 'signal handler failed'));
  let client: pg.Client | undefined;
  let closed = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: `assistant-signals ${instanceId}` });
    next.on('notification', (message) => {
      const signal = parse(message.payload);
      if (signal && signal.from !== instanceId) handlers.deliver(signal);
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'the signal connection to PostgreSQL failed; reconnecting');
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      reconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${CHANNEL}`);
    if (closed) return void (await next.end());
    client = next;
  };
  const reconnect = () => {
    if (closed) return;
    setTimeout(() => {
      connect().catch((error: unknown) => {
        logger.warn({ err: error }, 'could not reconnect the signal connection to PostgreSQL');
        reconnect();
      });
    }, RECONNECT_MS).unref();
  };

  await connect();
  return {
    instanceId,
    hasPeers: true,
    publish(signal) {
      const payload = JSON.stringify({ ...signal, from: instanceId });
      if (!client) return logger.warn({ signal: signal.type }, 'signal dropped: no connection to PostgreSQL');
      client.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((error: unknown) => {
        logger.warn({ err: error, signal: signal.type }, 'signal dropped');
      });
    },
    subscribe: (handler) => handlers.add(handler),
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

function parse(payload: string | undefined): ReceivedSignal | undefined {
  try {
    const value: unknown = JSON.parse(payload ?? '');
    return typeof value === 'object' && value !== null && 'type' in value && 'from' in value
      ? (value as ReceivedSignal)
      : undefined;
  } catch {
    return undefined;
  }
}
