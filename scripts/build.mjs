// Bundles the server and the CLIs into one ES module each: Node loads one file instead of hundreds (typebox alone
// has 700), which is most of the start-up time, and nothing compiles TypeScript at run time. Packages with native
// code, file lookups or CommonJS internals stay external (sqlite-vec finds its platform's compiled extension from
// where its own module lies). ReDoc's browser bundle is copied beside them, so the redoc package (and its React
// tree) is needed only to build.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

await build({
  entryPoints: {
    server: 'src/main.ts',
    'rebuild-projections': 'src/cli/rebuild-projections.ts',
    'copy-database': 'src/cli/copy-database.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: [
    '@mikro-orm/*',
    'better-sqlite3',
    'pg',
    'knex',
    'pino',
    'koa2-swagger-ui',
    'swagger-ui-dist',
    'sqlite-vec',
    // pdfjs-dist loads its worker module by path at run time.
    'pdfjs-dist',
  ],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});

const redocManifest = createRequire(import.meta.url).resolve('redoc/package.json');
const { version } = JSON.parse(await readFile(redocManifest, 'utf8'));
await mkdir('dist/assets', { recursive: true });
await copyFile(join(dirname(redocManifest), 'bundles', 'redoc.standalone.js'), 'dist/assets/redoc.standalone.js');
await writeFile('dist/assets.json', `${JSON.stringify({ redoc: version })}\n`);
