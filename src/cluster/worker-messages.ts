import cluster from 'node:cluster';

/** Between a cluster's primary and its workers, besides the relayed signals. */
export type WorkerMessage = { kind: 'assistant-instance-started'; instanceId: string };
export type PrimaryMessage = { kind: 'assistant-instance-gone'; instanceId: string };

const isMessage =
  <M extends { kind: string }>(kind: M['kind']) =>
  (message: unknown): message is M =>
    typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === kind;

export const isInstanceStarted = isMessage<WorkerMessage>('assistant-instance-started');
export const isInstanceGone = isMessage<PrimaryMessage>('assistant-instance-gone');

/** In a worker: tells the primary which instance it runs, so the primary can say when it died. */
export function announceInstance(instanceId: string): void {
  if (cluster.isWorker && process.connected) process.send?.({ kind: 'assistant-instance-started', instanceId });
}

/** In a worker: `handler` runs when the primary saw a sibling die. Returns what stops listening. */
export function onSiblingGone(handler: (instanceId: string) => void): () => void {
  if (!cluster.isWorker) return () => undefined;
  const listener = (message: unknown) => {
    if (isInstanceGone(message)) handler(message.instanceId);
  };
  process.on('message', listener);
  return () => void process.off('message', listener);
}
