import { connect } from 'node:net';
import { frame } from './http-framing.js';
import { parseRecording, type Recording } from './recordings.js';

/** One HTTP/1.1 exchange as bytes on the wire, to compare a server (the double, a llama-server) with the captures. */
export type RawExchange = {
  /** The response as the captures store it: head, blank line, de-chunked body. */
  recording: Recording;
  /** The HTTP chunks of a chunked body, in order, with their arrival times (performance.now()); [] otherwise. */
  chunks: { data: Buffer; at: number }[];
  /** complete: the framing ended; closed: the server closed first; open: nothing came for `idleMs`. */
  ending: 'complete' | 'closed' | 'open';
};

export type RawRequest = {
  method: string;
  path: string;
  body?: unknown;
  idleMs?: number;
  /** Sent after Host (and before the body's headers), e.g. ['Connection', 'close'] as the modern captures were made. */
  headers?: [string, string][];
};

/** Sends one request on a fresh connection (kept alive, as a client would) and reads the response to its end. */
export function rawExchange(baseUrl: string, request: RawRequest): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  const body =
    request.body === undefined ? '' : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    ...(request.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    ...(body ? ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
    let received = Buffer.alloc(0);
    const arrivals: number[] = [];
    let idle: NodeJS.Timeout | undefined;
    const finish = (ending: RawExchange['ending']) => {
      clearTimeout(idle);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      try {
        resolve(toExchange(received, arrivals, ending));
      } catch (error) {
        reject(error);
      }
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish('open'), request.idleMs ?? 2_000);
    };
    armIdle();
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const framed = frame(received);
      while (arrivals.length < (framed?.chunks.length ?? 0)) arrivals.push(performance.now());
      if (framed?.complete) finish('complete');
      else armIdle();
    });
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('closed'));
  });
}

function toExchange(received: Buffer, arrivals: number[], ending: RawExchange['ending']): RawExchange {
  const framed = frame(received);
  if (!framed) throw new Error(`no complete response head in ${JSON.stringify(received.toString('latin1'))}`);
  return {
    recording: parseRecording(Buffer.concat([framed.head, Buffer.from('\r\n\r\n'), framed.body])),
    chunks: framed.chunks.map((data, i) => ({ data, at: arrivals[i] ?? performance.now() })),
    ending,
  };
}
