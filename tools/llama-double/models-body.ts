import type { LlamaDoubleOptions } from './options.js';

type ModelsOptions = Pick<LlamaDoubleOptions, 'server' | 'modelPath' | 'modelAlias' | 'nCtx'>;

const now = () => Math.floor(Date.now() / 1000);

/** `meta` of a running model in /v1/models and a router's /models (modern: with the per-slot n_ctx and ftype). */
export function modernMeta(nCtx: number): object {
  return {
    vocab_type: 2,
    n_vocab: 292,
    n_ctx: nCtx,
    n_ctx_train: Math.max(nCtx, 4096),
    n_embd: 64,
    n_params: 119616,
    size: 478464,
    ftype: 'all F32',
  };
}

/** An entry of the Ollama-style `models` list the modern server sends first. */
function ollamaEntry(name: string): object {
  return {
    name,
    model: name,
    modified_at: '',
    size: '',
    digest: '',
    type: 'model',
    description: '',
    tags: [''],
    capabilities: ['completion'],
    parameters: '',
    details: {
      parent_model: '',
      format: 'gguf',
      family: '',
      families: [''],
      parameter_size: '',
      quantization_level: '',
    },
  };
}

/** GET /v1/models (and the modern /models): as models.txt (b4748) or modern/d04_v1_models. */
export function modelsBody(options: ModelsOptions): object {
  switch (options.server) {
    case 'b4748': {
      const meta = { vocab_type: 1, n_vocab: 32000, n_ctx_train: 2048, n_embd: 64, n_params: 4178240, size: 8357120 };
      const entry = { id: options.modelPath, object: 'model', created: now(), owned_by: 'llamacpp', meta };
      return { object: 'list', data: [entry] };
    }
    case 'modern': {
      const name = options.modelAlias ?? options.modelPath;
      const entry = { id: name, aliases: [name], tags: [], object: 'model', created: now(), owned_by: 'llamacpp' };
      return { models: [ollamaEntry(name)], object: 'list', data: [{ ...entry, meta: modernMeta(options.nCtx) }] };
    }
  }
}
