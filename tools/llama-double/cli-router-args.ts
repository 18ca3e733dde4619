import { DEFAULT_ROUTER, type RouterModelOption, type RouterOptions } from './options.js';

export type RouterFlags = {
  models: string[];
  autoload: boolean;
  maxInstances: number | undefined;
  loadMs: number | undefined;
};

/** The router of --router-model flags (`id[,loaded|unloaded][,n_ctx]`, repeated); null without any. */
export function routerFromFlags(flags: RouterFlags): RouterOptions | null {
  if (flags.models.length === 0) return null;
  return {
    models: flags.models.map(routerModel),
    autoload: flags.autoload,
    maxInstances: flags.maxInstances ?? DEFAULT_ROUTER.maxInstances,
    loadMs: flags.loadMs ?? DEFAULT_ROUTER.loadMs,
  };
}

function routerModel(flag: string): RouterModelOption {
  const [id = '', status = 'unloaded', nCtx = '4096', ...extra] = flag.split(',');
  if (id === '' || extra.length > 0 || (status !== 'loaded' && status !== 'unloaded') || !/^\d+$/.test(nCtx)) {
    throw new Error(`--router-model wants id[,loaded|unloaded][,n_ctx], got ${JSON.stringify(flag)}`);
  }
  return { id, status, nCtx: Number(nCtx) };
}
