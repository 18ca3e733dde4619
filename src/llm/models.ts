import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

/** unloaded, loading, loaded (router mode; a crashed child is failed), or ready (a server started with `-m`). */
export type ModelStatus = 'ready' | 'loaded' | 'loading' | 'unloaded' | 'sleeping' | 'failed' | 'unknown';

/** A model llama.cpp serves, as its /v1/models (or router /models) and /props describe it. */
export type ServedModel = {
  id: string;
  aliases: string[];
  status: ModelStatus;
  /** The GGUF file, as the server names it; null when it does not say (an unloaded router model). */
  file: string | null;
  /** Context per slot: what one chat can fill. */
  n_ctx: number | null;
  n_ctx_train: number | null;
  slots: number | null;
  n_params: number | null;
  size_bytes: number | null;
  capabilities: { reasoning: boolean | null; reasoning_effort: boolean | null; vision: boolean | null };
};

export type ServedModels = { router: boolean; autoload: boolean | null; models: ServedModel[] };

/**
 * What llama.cpp serves: one model (`-m`), or in router mode (`--models-dir`, no `-m`) every model it knows with
 * its status, and for each loaded one its own /props (context per slot, slots, template capabilities).
 */
export async function fetchModels(baseUrl: string, timeoutMs: number): Promise<ServedModels> {
  const [props, listing] = await Promise.all([
    fetchJson(`${baseUrl}/props`, { method: 'GET' }, timeoutMs).then(record),
    fetchJson(`${baseUrl}/v1/models`, { method: 'GET' }, timeoutMs).then(record),
  ]);
  const entries = (Array.isArray(listing.data) ? listing.data : []).map(record).filter((entry) => text(entry.id));
  if (props.role !== 'router') {
    const [entry] = entries;
    if (!entry) throw new LlmError('llm_error', 'GET /v1/models of llama.cpp lists no model');
    return { router: false, autoload: null, models: [describe(entry, props, 'ready')] };
  }
  const models = await Promise.all(
    entries.map(async (entry) => {
      const status = statusOf(entry);
      const own =
        status === 'loaded'
          ? await fetchJson(`${baseUrl}/props?model=${encodeURIComponent(String(entry.id))}`, {}, timeoutMs)
              .then(record)
              .catch(() => ({}))
          : {};
      return describe(entry, own, status);
    }),
  );
  return { router: true, autoload: typeof props.models_autoload === 'boolean' ? props.models_autoload : null, models };
}

function describe(entry: Record<string, unknown>, props: Record<string, unknown>, status: ModelStatus): ServedModel {
  const meta = record(entry.meta);
  const settings = record(props.default_generation_settings);
  const caps = props.chat_template_caps === undefined ? null : record(props.chat_template_caps);
  const modalities = props.modalities === undefined ? null : record(props.modalities);
  const input = record(entry.architecture).input_modalities;
  const effort = caps ? caps.supports_reasoning_effort === true : null;
  return {
    id: String(entry.id),
    aliases: (Array.isArray(entry.aliases) ? entry.aliases : []).filter(
      (alias): alias is string => typeof alias === 'string' && alias !== entry.id,
    ),
    status,
    file: text(props.model_path) ?? null,
    n_ctx: positive(settings.n_ctx) ?? positive(meta.n_ctx),
    n_ctx_train: positive(meta.n_ctx_train),
    slots: positive(props.total_slots),
    n_params: positive(meta.n_params),
    size_bytes: positive(meta.size),
    capabilities: {
      reasoning: caps
        ? effort === true || caps.supports_preserve_reasoning === true || caps.supports_reasoning === true
        : null,
      reasoning_effort: effort,
      vision: modalities ? modalities.vision === true : Array.isArray(input) ? input.includes('image') : null,
    },
  };
}

function statusOf(entry: Record<string, unknown>): ModelStatus {
  const status = record(entry.status);
  if (status.failed === true) return 'failed';
  switch (status.value) {
    case 'loaded':
    case 'loading':
    case 'unloaded':
    case 'sleeping':
      return status.value;
    default:
      return 'unknown';
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && value !== 'none' ? value : undefined;
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}
