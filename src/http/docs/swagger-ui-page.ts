import type { RouterMiddleware } from '@koa/router';

export interface SwaggerUiPageOptions {
  title: string;
  openapiUrl: string;
  /** Route serving swagger-ui-dist files as `<assetsRoot>/<version>/<file>`. */
  assetsRoot: string;
  version: string;
}

// koa2-swagger-ui's template hard-codes a Google Fonts stylesheet with no option to drop it. The inline SVG sprite's
// xmlns attributes are namespace names rather than loads, and the HTML parser implies them anyway.
const withoutExternalUrls = (html: string): string =>
  html
    .replace(/<link\b[^>]*\bhref="https?:\/\/[^>]*>\s*/g, '')
    .replace(/\s+xmlns(?::\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');

export function swaggerUiPage({ title, openapiUrl, assetsRoot, version }: SwaggerUiPageOptions): RouterMiddleware {
  // Loaded on the first visit: the page is rarely opened and its module costs start-up time.
  const load = async () =>
    (await import('koa2-swagger-ui')).koaSwagger({
      title,
      routePrefix: false,
      // The template links `<swaggerCdnUrl>/<swaggerVersion>/<file>`, so these point it at our own asset route.
      swaggerCdnUrl: assetsRoot,
      swaggerVersion: version,
      favicon: `${assetsRoot}/${version}/favicon-32x32.png`,
      // null stops Swagger UI from loading a badge image from validator.swagger.io.
      swaggerOptions: { url: openapiUrl, validatorUrl: null },
    });

  let render: ReturnType<typeof load> | undefined;
  return async (ctx, next) => {
    render ??= load();
    await (
      await render
    )(ctx, next);
    ctx.body = withoutExternalUrls(String(ctx.body));
  };
}
