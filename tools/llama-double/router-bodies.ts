import { BUILD_INFO } from './completion-chunks.js';
import { modernMeta } from './models-body.js';
import type { RouterOptions } from './options.js';
import type { RouterModel, ShownStatus } from './router-state.js';

/** Where a router's model file lies, relative to where it started (--models-dir router-models). */
export const routerModelPath = (id: string) => `router-models/${id}.gguf`;

/** GET /props of the router itself (no `?model`), as modern/g03_router_props. */
export function routerPropsBody(options: RouterOptions): object {
  return {
    role: 'router',
    max_instances: options.maxInstances,
    models_autoload: options.autoload,
    model_alias: 'llama-server',
    model_path: 'none',
    default_generation_settings: { params: null, n_ctx: 0 },
    ui_settings: {},
    build_info: BUILD_INFO.modern,
    cors_proxy_enabled: false,
  };
}

/** The command line the router starts (or started) a model's child with. */
function childArgs(model: RouterModel): string[] {
  const path = routerModelPath(model.id);
  return [
    ...['/usr/local/bin/llama-server', '--host', '127.0.0.1', '--port', String(model.port)],
    ...['--alias', model.id, '--ctx-size', String(model.nCtx), '--model', path, '--parallel', '1'],
  ];
}

function preset(model: RouterModel): string {
  return `[${model.id}]\nctx-size = ${model.nCtx}\nmodel = ${routerModelPath(model.id)}\nparallel = 1\n\n`;
}

/** GET /models and /v1/models of a router, as modern/g02…g19: one entry per model, `meta` while it runs. */
export function routerModelsBody(models: (RouterModel & { status: ShownStatus })[]): object {
  const created = Math.floor(Date.now() / 1000);
  const data = models.map((model) => ({
    id: model.id,
    aliases: [],
    tags: [],
    object: 'model',
    owned_by: 'llamacpp',
    created,
    status: { value: model.status, args: childArgs(model), preset: preset(model) },
    architecture: { input_modalities: ['text'], output_modalities: ['text'] },
    source: 'models_dir',
    can_remove: false,
    ...(model.status === 'loaded' ? { meta: modernMeta(model.nCtx) } : {}),
  }));
  return { data, object: 'list' };
}
