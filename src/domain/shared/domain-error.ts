/**
 * What a decider refuses. `code` maps to HTTP in one place (src/http/problem.ts):
 * not_found -> 404, conflict -> 409, invalid -> 422.
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'invalid';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalid = (message: string, path?: string) => new DomainError('invalid', message, path);
