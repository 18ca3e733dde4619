import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP relay between a client and a server that can be cut off, like a network or a server going away. */
export type TcpProxy = {
  port: number;
  /** Destroys every relayed connection and stops listening: new connections are refused. */
  cut: () => Promise<void>;
  /** Listens again on the same port. */
  restore: () => Promise<void>;
  close: () => Promise<void>;
};

/** `onReply` sees each chunk the server sends before it is relayed to the client. */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: { onReply?: (chunk: Buffer) => void } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = createConnection(target);
      track(client);
      track(upstream);
      if (options.onReply) upstream.on('data', options.onReply);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', resolve);
    });
    port = (next.address() as { port: number }).port;
    server = next;
  };

  const cut = async () => {
    const closing = server;
    server = undefined;
    const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : Promise.resolve();
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
