import { Agent, request } from 'node:http';
import { createParser } from 'eventsource-parser';

export type PinnedReply = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
};

/** A client whose requests all travel on one kept-alive connection, so they all reach the same worker. */
export type PinnedClient = {
  /** The X-Instance-Id of the worker at the other end. */
  instanceId: string;
  request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<PinnedReply>;
  /** A whole event stream (the request ends when the server closes it), parsed. */
  events: (path: string, headers?: Record<string, string>) => Promise<{ id?: string; event?: string; json: any }[]>;
  close: () => void;
};

/**
 * node:cluster hands each new connection to the next worker. Opening connections until every worker has been seen
 * gives one pinned client per worker, so a test can choose which worker serves which request.
 */
export async function pinnedClientsPerWorker(baseUrl: string, workers: number, maxTries = 40): Promise<PinnedClient[]> {
  const found = new Map<string, PinnedClient>();
  for (let i = 0; i < maxTries && found.size < workers; i++) {
    const client = await pinnedClient(baseUrl);
    if (found.has(client.instanceId)) client.close();
    else found.set(client.instanceId, client);
  }
  if (found.size < workers) throw new Error(`saw only ${found.size} of ${workers} workers`);
  return [...found.values()];
}

export async function pinnedClient(baseUrl: string): Promise<PinnedClient> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<PinnedReply>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${baseUrl}${path}`,
        {
          method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const json = /json/.test(String(res.headers['content-type'])) && text ? JSON.parse(text) : undefined;
            resolve({ status: res.statusCode!, headers: res.headers, text, body: json });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const first = await send('GET', '/health');
  const instanceId = String(first.headers['x-instance-id']);
  const checked: typeof send = async (...args) => {
    const reply = await send(...args);
    // A kept-alive connection the server closed would silently move the next request to another worker.
    if (reply.headers['x-instance-id'] !== instanceId) throw new Error('the pinned connection moved to another worker');
    return reply;
  };
  return {
    instanceId,
    request: checked,
    async events(path, headers) {
      const reply = await checked('GET', path, undefined, headers);
      const events: { id?: string; event?: string; json: any }[] = [];
      const parser = createParser({
        onEvent: (e) => events.push({ id: e.id, event: e.event, json: JSON.parse(e.data) }),
      });
      parser.feed(reply.text);
      return events;
    },
    close: () => agent.destroy(),
  };
}
