import { Type, type TSchema } from 'typebox';
import type { ResponseSpec } from '../route.js';

export const etagHeader = {
  ETag: { description: 'Weak ETag of the stream version; send it back in If-Match', schema: Type.String() },
};

/** A refusal that passes: the client may ask again after the seconds it names. */
export const retryLater = (description: string): ResponseSpec => ({
  description,
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: Type.Integer() } },
});

export const ok = (schema: TSchema, description: string): ResponseSpec => ({ description, schema });
export const modified = (schema: TSchema, description: string): ResponseSpec => ({
  description,
  schema,
  headers: etagHeader,
});
export const created = (schema: TSchema, description: string): ResponseSpec => ({
  description,
  schema,
  headers: { ...etagHeader, Location: { description: 'URL of the new resource', schema: Type.String() } },
});
export const deleted: ResponseSpec = { description: 'Deleted (also when it already was)' };
export const missing = (what: string): ResponseSpec => ({ description: `No such ${what}, or it is deleted` });
export const preconditionFailed: ResponseSpec = { description: 'If-Match does not match the current version' };
