import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { RouterMiddleware } from '@koa/router';

// Asset URLs carry the package version, so a cached copy can never go stale.
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Serves `ctx.params.file` from `dir` when it is a key of `files` (URL name -> file name in `dir`), reading each file
 * once; any other name falls through, so nothing outside the allow-list is ever touched on disk.
 */
export function staticAssets(dir: string, files: Record<string, string>): RouterMiddleware {
  const allowed = new Map(Object.entries(files));
  const contents = new Map<string, Promise<Buffer>>();
  const load = (fileName: string): Promise<Buffer> => {
    let content = contents.get(fileName);
    if (content === undefined) {
      content = readFile(join(dir, fileName));
      contents.set(fileName, content);
    }
    return content;
  };

  return async (ctx, next) => {
    const fileName = allowed.get(ctx.params.file ?? '');
    if (fileName === undefined) return next();
    ctx.body = await load(fileName);
    ctx.type = extname(fileName);
    ctx.set('Cache-Control', CACHE_CONTROL);
  };
}
