import { request } from 'node:http';

export type RawRequest = {
  method: string;
  /** Sent as is: no normalisation of `..`, no re-encoding. */
  path: string;
  /** An array value sends the header once per item. */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
};

export type RawReply = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/**
 * One HTTP exchange with full control of what goes on the wire (fetch normalises paths and merges headers).
 * Rejects when no complete answer arrives within `timeoutMs`: a hang is a failure, not a slow test. An event
 * stream's answer is complete once its headers arrived; its body is not read.
 */
export function rawRequest(baseUrl: string, raw: RawRequest, timeoutMs = 10_000): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: raw.path,
        headers: raw.headers,
        insecureHTTPParser: false,
        agent: false,
      },
      (res) => {
        // An event stream may never end (the live event feed): it is judged by its status and headers.
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${raw.method} ${raw.path.slice(0, 200)}`));
    }, timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(raw.body);
  });
}
