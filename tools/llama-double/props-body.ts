import type { LlamaDoubleOptions } from './options.js';
import { modernPropsBody } from './props-modern.js';

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + " +
  "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const PARAMS = {
  n_predict: -1,
  seed: 4294967295,
  temperature: 0.800000011920929,
  dynatemp_range: 0.0,
  dynatemp_exponent: 1.0,
  top_k: 40,
  top_p: 0.949999988079071,
  min_p: 0.05000000074505806,
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
  dry_penalty_last_n: 2048,
  dry_sequence_breakers: ['\n', ':', '"', '*'],
  mirostat: 0,
  mirostat_tau: 5.0,
  mirostat_eta: 0.10000000149011612,
  stop: [],
  max_tokens: -1,
  n_keep: 0,
  n_discard: 0,
  ignore_eos: false,
  stream: true,
  logit_bias: [],
  n_probs: 0,
  min_keep: 0,
  grammar: '',
  grammar_trigger_words: [],
  grammar_trigger_tokens: [],
  preserved_tokens: [],
  chat_format: 'Content-only',
  samplers: ['penalties', 'dry', 'top_k', 'typ_p', 'top_p', 'min_p', 'xtc', 'temperature'],
  'speculative.n_max': 16,
  'speculative.n_min': 0,
  'speculative.p_min': 0.75,
  timings_per_token: false,
  post_sampling_probs: false,
  lora: [],
};

const NEXT_TOKEN = { has_next_token: true, has_new_line: false, n_remain: -1, n_decoded: 0, stopping_word: '' };

type PropsOptions = Pick<LlamaDoubleOptions, 'nCtx' | 'totalSlots' | 'modelPath' | 'modelAlias' | 'propsStyle'>;

/** GET /props: as props.txt (b4748), as servers in between send it (top-level n_ctx, model_alias), or modern. */
export function propsBody(options: PropsOptions): object {
  const slot = { id: 0, id_task: -1, n_ctx: options.nCtx, speculative: false, is_processing: false, non_causal: false };
  const settings = { ...slot, params: PARAMS, prompt: '', next_token: NEXT_TOKEN };
  const common = { total_slots: options.totalSlots, model_path: options.modelPath };
  const template = { chat_template: CHATML, bos_token: '<s>', eos_token: '</s>', build_info: 'b4748-c392e509' };
  switch (options.propsStyle) {
    case 'b4748':
      return { default_generation_settings: settings, ...common, ...template };
    case 'newer': {
      const { n_ctx: _perSlot, ...withoutNCtx } = settings;
      const alias = { model_alias: options.modelAlias ?? options.modelPath.split('/').pop() };
      return { default_generation_settings: withoutNCtx, ...common, ...alias, n_ctx: options.nCtx, ...template };
    }
    case 'modern':
      return modernPropsBody(options);
  }
}
