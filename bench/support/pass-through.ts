import { spawn } from 'node:child_process';
import { createServer, request, Agent, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * The least a relay can do: a bare Node http server that forwards each request to `target` and pipes the answer's
 * bytes back unchanged (no parsing, no buffering beyond Node's own). `token-relay` reads llama.cpp's stream through it
 * to show what one extra hop through a Node process costs, apart from anything the API does.
 *
 * Run as its own process: `node --import tsx bench/support/pass-through.ts <target url>`; it prints
 * `listening on http://127.0.0.1:<port>`. `startPassThrough` does that and waits for the line.
 */
export async function startPassThrough(
  target: string,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const root = join(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, target], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the pass-through exited with ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<void>((done) => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  return { url, pid: child.pid!, stop };
}

/** Connection-level headers belong to each hop; everything else goes through as it came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function serve(target: URL): void {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: target.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`listening on http://127.0.0.1:${port}`);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: pass-through.ts <target url>');
    process.exit(2);
  }
  serve(new URL(target));
}
