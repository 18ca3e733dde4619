/**
 * What a decider refuses. `code` maps to HTTP in one place (src/http/problem.ts):
 * not_found -> 404, conflict -> 409, invalid -> 422.
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'invalid';

/** The input a refusal points into, and what is wrong with it there. */
export type InvalidField = { in: 'body' | 'query' | 'params'; pointer: string; message: string };

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** A JSON pointer into the command's body. */
    readonly path?: string,
    /** Set when the refusal is about one field of an input, said as `<input><pointer>: <message>`. */
    readonly field?: InvalidField,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalid = (message: string, path?: string) => new DomainError('invalid', message, path);
/**
 * A field of an input that breaks a rule, said by default as `<input><pointer>: <message>`, e.g.
 * `body/message: must be at most 20 characters`.
 */
export const invalidField = (field: InvalidField, detail = `${field.in}${field.pointer}: ${field.message}`) =>
  new DomainError('invalid', detail, undefined, field);
