import cluster from 'node:cluster';
import { isEnvelope } from './ipc-link.js';

/** In the primary: hands every signal a worker sends to all the other workers, in the order received. */
export function relaySignals(): void {
  cluster.on('message', (sender, message: unknown) => {
    if (!isEnvelope(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== sender && worker.isConnected()) worker.send(message);
    }
  });
}
