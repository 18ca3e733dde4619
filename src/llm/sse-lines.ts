export type ReadChunk = () => Promise<{ done: boolean; value?: Uint8Array }>;

/**
 * The lines of a byte stream, as one batch per read that completed any: UTF-8 decoded across chunk boundaries,
 * split on LF, a CR before the LF dropped. A last line without a newline is given at the end of the stream.
 * Batches rather than single lines, so a consumer handles what one read brought in one synchronous run.
 */
export async function* readLineBatches(read: ReadChunk): AsyncGenerator<string[], void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for (;;) {
    const { done, value } = await read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    if (lines.length > 0) yield lines.map(withoutCr);
  }
  pending += decoder.decode();
  if (pending !== '') yield [withoutCr(pending)];
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
