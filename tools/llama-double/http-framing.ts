/** An HTTP/1.1 response split at its head, its body de-chunked when it was sent chunked. */
export type Framed = { head: Buffer; body: Buffer; chunks: Buffer[]; chunked: boolean; complete: boolean };

/** The response in `received` so far; null until its head is whole. */
export function frame(received: Buffer): Framed | null {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = received.subarray(0, end);
  const rest = received.subarray(end + 4);
  const text = head.toString('latin1');
  const length = /\r\ncontent-length: *(\d+)/i.exec(text);
  if (length) {
    const size = Number(length[1]);
    return { head, body: rest.subarray(0, size), chunks: [], chunked: false, complete: rest.length >= size };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(text))
    return { head, body: rest, chunks: [], chunked: false, complete: false };
  return { head, ...dechunk(rest), chunked: true };
}

function dechunk(rest: Buffer): { body: Buffer; chunks: Buffer[]; complete: boolean } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line at byte ${at}`);
    if (size === 0) return { body: Buffer.concat(chunks), chunks, complete: rest.length >= lineEnd + 4 };
    if (rest.length < lineEnd + 2 + size + 2) break;
    chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return { body: Buffer.concat(chunks), chunks, complete: false };
}
