// Bundles the server into one ES module: Node loads one file instead of hundreds (typebox alone has 700),
// which is most of the start-up time. Packages with native code, file lookups or CommonJS internals stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['@mikro-orm/*', 'better-sqlite3', 'pg', 'knex', 'pino', 'koa2-swagger-ui', 'swagger-ui-dist', 'redoc'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
