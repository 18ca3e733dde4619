import { randomBytes } from 'node:crypto';
import { BUILD_INFO } from './completion-chunks.js';
import type { LlamaDoubleOptions } from './options.js';

/** default_generation_settings.params of modern/d03_props. */
const PARAMS = {
  seed: 4294967295,
  temperature: 0.800000011920929,
  dynatemp_range: 0.0,
  dynatemp_exponent: 1.0,
  top_k: 40,
  top_p: 0.949999988079071,
  min_p: 0.05000000074505806,
  top_n_sigma: -1.0,
  xtc_probability: 0.0,
  xtc_threshold: 0.10000000149011612,
  typical_p: 1.0,
  repeat_last_n: 64,
  repeat_penalty: 1.0,
  presence_penalty: 0.0,
  frequency_penalty: 0.0,
  dry_multiplier: 0.0,
  dry_base: 1.75,
  dry_allowed_length: 2,
  dry_penalty_last_n: 64,
  mirostat: 0,
  mirostat_tau: 5.0,
  mirostat_eta: 0.10000000149011612,
  adaptive_target: -1.0,
  adaptive_decay: 0.8999999761581421,
  max_tokens: -1,
  n_predict: -1,
  n_keep: 0,
  n_discard: 0,
  ignore_eos: false,
  stream: false,
  n_probs: 0,
  min_keep: 0,
  chat_format: 'Content-only',
  reasoning_format: 'none',
  reasoning_in_content: false,
  generation_prompt: '',
  samplers: ['penalties', 'dry', 'top_n_sigma', 'top_k', 'typ_p', 'top_p', 'min_p', 'xtc', 'temperature'],
  'speculative.types': 'none',
  timings_per_token: false,
  post_sampling_probs: false,
  backend_sampling: false,
  lora: [],
};

/**
 * A short template in gpt-oss's harmony format, with its `reasoning_effort` kwarg (the real one, in d03_props, is
 * 19 kB and renders tools too; a client reads the caps, not the template).
 */
const HARMONY =
  '{{- "<|start|>system<|message|>Reasoning: " + (reasoning_effort or "medium") + "<|end|>" }}' +
  '{%- for message in messages %}{{- "<|start|>" + message.role + "<|message|>" + message.content + "<|end|>" }}' +
  '{%- endfor %}{%- if add_generation_prompt %}<|start|>assistant{%- endif %}';

const CAPS = {
  supports_object_arguments: true,
  supports_parallel_tool_calls: false,
  supports_preserve_reasoning: false,
  supports_reasoning_effort: true,
  supports_string_content: true,
  supports_system_role: true,
  supports_tool_calls: true,
  supports_tools: true,
  supports_typed_content: false,
};

/** A new one every start, as llama-server draws one. */
const MEDIA_MARKER = `<__media_${randomBytes(24).toString('base64url').slice(0, 32)}__>`;

type PropsOptions = Pick<LlamaDoubleOptions, 'nCtx' | 'totalSlots' | 'modelPath' | 'modelAlias'>;

/** GET /props of a modern single-model server (and of a router's child), keys in d03_props's order. */
export function modernPropsBody(options: PropsOptions): object {
  return {
    default_generation_settings: { params: PARAMS, n_ctx: options.nCtx },
    total_slots: options.totalSlots,
    model_alias: options.modelAlias ?? options.modelPath,
    model_ftype: 'all F32',
    model_path: options.modelPath,
    modalities: { vision: false, video: false, audio: false },
    media_marker: MEDIA_MARKER,
    endpoint_slots: true,
    endpoint_props: false,
    endpoint_metrics: false,
    ui: true,
    ui_settings: {},
    chat_template: HARMONY,
    chat_template_caps: CAPS,
    bos_token: '<|startoftext|>',
    eos_token: '<|return|>',
    build_info: BUILD_INFO.modern,
    is_sleeping: false,
    cors_proxy_enabled: false,
  };
}

/** GET /slots of the modern server, every slot idle and never used (modern/d06_slots' first slot). */
export function modernSlotsBody(options: Pick<LlamaDoubleOptions, 'nCtx' | 'totalSlots'>): object {
  return Array.from({ length: options.totalSlots }, (_, id) => ({
    id,
    n_ctx: options.nCtx,
    speculative: false,
    is_processing: false,
  }));
}
