export type ReadChunk = () => Promise<{ done: boolean; value?: Uint8Array }>;

/**
 * The lines of a byte stream as they complete: UTF-8 decoded across chunk boundaries, split on LF, a CR before
 * the LF dropped. A last line without a newline is given at the end of the stream.
 */
export async function* readLines(read: ReadChunk): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for (;;) {
    const { done, value } = await read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield pending;
}
