/** What is wrong with a file to import, at a JSON pointer into it ('' for the whole file). */
export class ImportError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** A pointer one step further in: `key` escaped as RFC 6901 asks. */
export const pointerTo = (at: string, key: string | number) =>
  `${at}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
