import type { Middleware } from 'koa';
import type { AppState } from '../app-state.js';

/** An API answers JSON and event streams: nothing in them may load, run, frame or submit anything. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Swagger UI and ReDoc run from our own assets (offline): their pages start with an inline script and inject
 * styles, ReDoc searches in a worker made from a blob and both fetch the OpenAPI document from this origin.
 */
const DOCS_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const isDocsPage = (path: string) => /^\/(docs|redoc)(\/|$)/.test(path);

const securityHeadersFor = (policy: string) => ({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': policy,
});

/** What an API answer carries, also one Node's HTTP parser refused before Koa saw it (client-errors.ts). */
export const API_SECURITY_HEADERS = securityHeadersFor(API_POLICY);

/** Set before anything else answers, so errors and event streams carry them too. */
export const securityHeaders: Middleware<AppState> = async (ctx, next) => {
  ctx.set(isDocsPage(ctx.path) ? securityHeadersFor(DOCS_POLICY) : API_SECURITY_HEADERS);
  await next();
};
