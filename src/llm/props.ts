import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

export type LlamaProps = { n_ctx: number; total_slots: number; model_name: string | null };

/**
 * GET /props of b4748 (context per slot in default_generation_settings.n_ctx, model file in model_path) or of
 * newer servers (top-level n_ctx, model_alias).
 */
export function parseProps(body: unknown): LlamaProps {
  const props = asRecord(body);
  const settings = asRecord(props.default_generation_settings);
  const nCtx = positive(settings.n_ctx) ?? positive(props.n_ctx);
  if (nCtx === null) throw new LlmError('llm_error', 'GET /props of llama.cpp tells no context size (n_ctx)');
  return { n_ctx: nCtx, total_slots: positive(props.total_slots) ?? 1, model_name: modelName(props) };
}

/** `model`: one model of a router (llama-server --models-dir), whose own /props the router passes on. */
export async function fetchProps(baseUrl: string, timeoutMs: number, model?: string): Promise<LlamaProps> {
  const query = model === undefined ? '' : `?model=${encodeURIComponent(model)}`;
  return parseProps(await fetchJson(`${baseUrl}/props${query}`, { method: 'GET' }, timeoutMs));
}

/** The alias a server was started with; a current server without one reports its `-m` path as alias: the file then. */
function modelName(props: Record<string, unknown>): string | null {
  const alias = typeof props.model_alias === 'string' ? props.model_alias.trim() : '';
  if (alias !== '' && alias !== props.model_path) return alias;
  if (typeof props.model_path !== 'string') return null;
  return props.model_path.split(/[\\/]/).pop() || null;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
