import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BuiltAssets = { dir: string; redocVersion: string };

/** The package's root: the nearest folder above this module (src/http/docs, or dist in the bundle) with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the docs pages');
    dir = parent;
  }
  return dir;
}

/** The browser assets `npm run build` copies into dist/assets, and what dist/assets.json says they are. */
export function builtAssets(): BuiltAssets {
  const dist = join(packageRoot(), 'dist');
  let manifest: { redoc: string };
  try {
    manifest = JSON.parse(readFileSync(join(dist, 'assets.json'), 'utf8')) as { redoc: string };
  } catch (error) {
    throw new Error('dist/assets.json is missing or unreadable: run npm run build', { cause: error });
  }
  return { dir: join(dist, 'assets'), redocVersion: manifest.redoc };
}
