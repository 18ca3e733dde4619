/**
 * Values fetched from llama.cpp that change rarely (its props, its models), kept `ttlMs`. A stale value is still
 * answered at once while a fresh one is fetched in the background, so no chat waits for the refresh; only the first
 * ask of a key waits. A failed fetch keeps nothing new: the next ask after it tries again.
 */
export function createRefreshingCache<V>(fetch: (key: string) => Promise<V>, ttlMs: number) {
  const values = new Map<string, { value: V; until: number }>();
  const fetching = new Map<string, Promise<V>>();
  const refresh = (key: string): Promise<V> => {
    let pending = fetching.get(key);
    if (!pending) {
      pending = fetch(key)
        .then((value) => {
          values.set(key, { value, until: performance.now() + ttlMs });
          return value;
        })
        .finally(() => fetching.delete(key));
      fetching.set(key, pending);
    }
    return pending;
  };
  return {
    get(key: string): Promise<V> {
      const known = values.get(key);
      if (!known) return refresh(key);
      if (known.until <= performance.now()) refresh(key).catch(() => undefined);
      return Promise.resolve(known.value);
    },
  };
}
