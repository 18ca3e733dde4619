import type { LlamaDoubleOptions, ServerBuild } from './options.js';

/** What a build sends by default, in the options that can also be set one by one. */
const PRESETS: Record<ServerBuild, Partial<LlamaDoubleOptions>> = {
  b4748: {
    roleChunk: false,
    usage: 'finish',
    errorStyle: 'line',
    propsStyle: 'b4748',
    nCtx: 1024,
    totalSlots: 2,
    modelPath: '/models/tiny-random-llama.gguf',
    reasoningTokens: 0,
    ssePingMs: 0,
  },
  // As modern/d03_props: -c 4096 -np 2 gives 2048 per slot; gpt-oss always reasons before it answers.
  modern: {
    roleChunk: true,
    usage: 'requested',
    errorStyle: 'http',
    propsStyle: 'modern',
    nCtx: 2048,
    totalSlots: 2,
    modelPath: 'models/tiny-gpt-oss.gguf',
    reasoningTokens: 8,
    ssePingMs: 30_000,
  },
};

/** `base` with `changes`; naming a `server` first applies its preset, which the other changes then override. */
export function withChanges(base: LlamaDoubleOptions, changes: Partial<LlamaDoubleOptions>): LlamaDoubleOptions {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const preset = changes.server === undefined ? {} : PRESETS[changes.server];
  return { ...base, ...preset, ...defined };
}
