import type { Logger } from '../logger.js';
import { keepConnected } from './dedicated-connection.js';
import { createHandlers } from './handlers.js';
import type { ReceivedSignal, SignalLink } from './signals.js';

const CHANNEL = 'assistant_signals';

/**
 * PostgreSQL LISTEN/NOTIFY between every process on one database: workers and instances on other machines
 * alike. One dedicated connection both listens and notifies, so one sender's signals keep their order.
 * While the connection is down signals are dropped (and logged); it reconnects by itself.
 */
export async function createPgNotifyLink(url: string, instanceId: string, logger: Logger): Promise<SignalLink> {
  const handlers = createHandlers((error) => logger.error({ err: error }, 'signal handler failed'));
  const connection = await keepConnected(
    url,
    `assistant-signals ${instanceId}`,
    async (client) => {
      client.on('notification', (message) => {
        const signal = parse(message.payload);
        if (signal && signal.from !== instanceId) handlers.deliver(signal);
      });
      await client.query(`LISTEN ${CHANNEL}`);
    },
    logger,
  );
  return {
    instanceId,
    hasPeers: true,
    publish(signal) {
      const client = connection.current();
      if (!client) return logger.warn({ signal: signal.type }, 'signal dropped: no connection to PostgreSQL');
      const payload = JSON.stringify({ ...signal, from: instanceId });
      client.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((error: unknown) => {
        logger.warn({ err: error, signal: signal.type }, 'signal dropped');
      });
    },
    subscribe: (handler) => handlers.add(handler),
    close: connection.close,
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
