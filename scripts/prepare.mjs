// `npm install` and `npm ci` run this: they build dist/ when the build tools (development dependencies) are there.
// A production install (`--omit=dev`) has none: it keeps a dist/ built before (by a build stage, or by
// `npm ci && npm prune --omit=dev`), and fails, saying how, when there is none to keep.
import console from 'node:console';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const installed = (name) => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};

if (installed('esbuild') && installed('redoc')) {
  await import('./build.mjs');
} else if (['dist/server.mjs', 'dist/assets.json'].every((file) => existsSync(file))) {
  console.warn('prepare: no build tools (installed without dev dependencies); dist/ is kept as it was built');
} else {
  console.error(
    'prepare: dist/ is not built and cannot be: its build tools are development dependencies.\n' +
      'Install with them, build, then drop them: npm ci && npm prune --omit=dev',
  );
  process.exit(1);
}
