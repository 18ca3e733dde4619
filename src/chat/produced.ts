/** What an answer has produced so far, and when: its text, its reasoning, and what has not been checkpointed. */
export function createProduced() {
  let content = '';
  let reasoning: string | null = null;
  let pending = '';
  let pendingReasoning = '';
  let firstToken: number | undefined;
  let firstReasoning: number | undefined;
  let firstAnswer: number | undefined;
  const ms = (value: number) => Math.round(value * 100) / 100;
  return {
    get content() {
      return content;
    },
    get reasoning() {
      return reasoning;
    },
    /** Nothing came from llama.cpp yet: a refused prompt can still be sent again. */
    get nothing() {
      return firstToken === undefined;
    },
    answer(text: string, at: number) {
      firstToken ??= at;
      firstAnswer ??= at;
      content += text;
      pending += text;
    },
    think(text: string, at: number) {
      firstToken ??= at;
      firstReasoning ??= at;
      reasoning = (reasoning ?? '') + text;
      pendingReasoning += text;
    },
    takePending() {
      const taken = { delta: pending, reasoning_delta: pendingReasoning };
      pending = '';
      pendingReasoning = '';
      return taken;
    },
    /** ttft_ms to the first token of either kind; reasoning_ms until the answer began (or the end, if it never did). */
    timings(endedAt: number): { ttft_ms?: number; reasoning_ms?: number } {
      return {
        ...(firstToken === undefined ? {} : { ttft_ms: ms(firstToken) }),
        ...(firstReasoning === undefined ? {} : { reasoning_ms: ms((firstAnswer ?? endedAt) - firstReasoning) }),
      };
    },
  };
}

/** What an answer that did not complete had produced: kept with its failure or cancellation. */
export type ProducedSoFar = { content: string; reasoning: string | null };
export const NOTHING_PRODUCED: ProducedSoFar = { content: '', reasoning: null };
