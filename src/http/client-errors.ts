import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_SECURITY_HEADERS } from './middleware/security-headers.js';

type ClientError = Error & { code?: string };

/**
 * Requests Node's HTTP parser refuses before Koa sees them (headers over --max-http-header-size, two different
 * Content-Length values, malformed request lines) get a problem+json answer like every other error,
 * instead of Node's bare status line.
 */
export function answerClientErrors(server: Server, ids: { instanceId: string; newId: () => string }): void {
  server.on('clientError', (error: ClientError, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, kind, detail] = classify(error.code);
    const requestId = ids.newId();
    const body = JSON.stringify({
      type: `/problems/${kind}`,
      title: STATUS_CODES[status],
      status,
      detail,
      request_id: requestId,
    });
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'Content-Type: application/problem+json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        `X-Instance-Id: ${ids.instanceId}`,
        ...Object.entries(API_SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

function classify(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'headers-too-large', 'The request headers are larger than the server accepts'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request-timeout', 'The request did not arrive in time'];
    default:
      return [400, 'malformed-request', 'The request is not valid HTTP/1.1'];
  }
}
