/**
 * Token counts of messages by id. A message's text never changes once it is part of a branch, so each is counted
 * once per process: by llama.cpp's /tokenize, or taken from what llama.cpp reported for an answer it generated.
 */
export type TokenCounter = {
  known: (id: string) => number | undefined;
  remember: (id: string, tokens: number) => void;
  /** The count of `text`, asking llama.cpp when it is not known yet; one request per message however many ask. */
  count: (id: string, text: string) => Promise<number>;
};

const MAX_REMEMBERED = 50_000;

export function createTokenCounter(countTokens: (text: string) => Promise<number>): TokenCounter {
  const counts = new Map<string, number>();
  const asking = new Map<string, Promise<number>>();
  const remember = (id: string, tokens: number) => {
    if (counts.has(id)) return;
    if (counts.size >= MAX_REMEMBERED) counts.delete(counts.keys().next().value!);
    counts.set(id, tokens);
  };
  return {
    known: (id) => counts.get(id),
    remember,
    count: (id, text) => {
      const known = counts.get(id);
      if (known !== undefined) return Promise.resolve(known);
      let pending = asking.get(id);
      if (!pending) {
        pending = countTokens(text)
          .then((tokens) => {
            remember(id, tokens);
            return tokens;
          })
          .finally(() => asking.delete(id));
        asking.set(id, pending);
      }
      return pending;
    },
  };
}
