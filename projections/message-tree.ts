/** Every message whose depth is a multiple of this is an anchor for the messages below it. */
export const ANCHOR_EVERY = 64;

export type TreePlace = { depth: number; anchor_id: string | null };

/**
 * Where a new message sits: one below its parent, anchored to the nearest ancestor whose depth is a multiple of
 * ANCHOR_EVERY. Following anchors from any message reaches a given depth in depth / ANCHOR_EVERY steps, and the
 * parent links the rest of the way in fewer than ANCHOR_EVERY.
 */
export function placeUnder(parent: ({ id: string } & TreePlace) | null): TreePlace {
  if (!parent) return { depth: 0, anchor_id: null };
  return {
    depth: parent.depth + 1,
    anchor_id: parent.depth % ANCHOR_EVERY === 0 ? parent.id : parent.anchor_id,
  };
}
