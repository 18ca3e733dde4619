import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Router from '@koa/router';
import { builtAssets } from './built-assets.js';
import { redocPage } from './redoc-page.js';
import { staticAssets } from './static-assets.js';
import { swaggerUiPage } from './swagger-ui-page.js';

const require = createRequire(import.meta.url);

function installedPackage(name: string): { dir: string; version: string } {
  const manifestPath = require.resolve(`${name}/package.json`);
  const { version } = require(manifestPath) as { version: string };
  return { dir: dirname(manifestPath), version };
}

/** Swagger UI at `/docs` and ReDoc at `/redoc`, rendering `openapiUrl` from locally served assets (works offline). */
export function docsRouter({ openapiUrl, title }: { openapiUrl: string; title: string }): Router {
  const swaggerUiDist = installedPackage('swagger-ui-dist');
  const built = builtAssets();
  const redocAssets = `/redoc/assets/${built.redocVersion}`;
  const redocHtml = redocPage({ title, specUrl: openapiUrl, scriptUrl: `${redocAssets}/redoc.standalone.js` });

  const router = new Router();
  router.get('/docs', swaggerUiPage({ title, openapiUrl, assetsRoot: '/docs/assets', version: swaggerUiDist.version }));
  router.get(
    `/docs/assets/${swaggerUiDist.version}/:file`,
    staticAssets(swaggerUiDist.dir, {
      'swagger-ui-bundle.js': 'swagger-ui-bundle.js',
      'swagger-ui-standalone-preset.js': 'swagger-ui-standalone-preset.js',
      // The template asks for the CDN's minified name; swagger-ui-dist only ships the unminified file.
      'swagger-ui.min.css': 'swagger-ui.css',
      'favicon-32x32.png': 'favicon-32x32.png',
    }),
  );
  router.get('/redoc', (ctx) => {
    ctx.type = 'html';
    ctx.body = redocHtml;
  });
  router.get(`${redocAssets}/:file`, staticAssets(built.dir, { 'redoc.standalone.js': 'redoc.standalone.js' }));
  return router;
}
