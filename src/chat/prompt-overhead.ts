/**
 * What a model's chat template adds to the tokens of the messages themselves: gpt-oss's puts a system block of
 * about 270 tokens before them (a current llama-server counted 279 prompt tokens for a one-line question), on top
 * of the few per message fit-prompt.ts counts. Assumed for a model until one of its prompts was measured, but never
 * more than a sixteenth of its context: a small context is a small model's, with a small template.
 */
export const ASSUMED_OVERHEAD = 300;

export const assumedOverhead = (nCtx: number) => Math.min(ASSUMED_OVERHEAD, Math.floor(nCtx / 16));

export type PromptOverhead = {
  /** The tokens measured for the template of `model` (null: the one model of a server started with -m), if any. */
  of: (model: string | null) => number | null;
  /**
   * What llama.cpp counted for a prompt estimated at `estimated` tokens: exactly (`bounded` false: every message
   * was counted), or as an upper bound (bytes), which makes the difference only a lower bound of the overhead.
   */
  observe: (model: string | null, estimated: { tokens: number; bounded: boolean }, counted: number) => void;
};

/**
 * Learned per model, for the life of the process: the template does not change while a model is loaded. A count
 * against an exact estimate is the overhead; against a bound, it only raises what is known when it says more.
 */
export function createPromptOverhead(): PromptOverhead {
  const measured = new Map<string, { tokens: number; exact: boolean }>();
  const key = (model: string | null) => model ?? '';
  return {
    of: (model) => measured.get(key(model))?.tokens ?? null,
    observe(model, estimated, counted) {
      const difference = Math.max(0, counted - estimated.tokens);
      const known = measured.get(key(model));
      if (!estimated.bounded) measured.set(key(model), { tokens: difference, exact: true });
      else if (!known?.exact && difference > (known?.tokens ?? 0)) {
        measured.set(key(model), { tokens: difference, exact: false });
      }
    },
  };
}
