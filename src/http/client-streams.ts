import type { AppContext } from './app-state.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from './problem.js';

/** Event streams open at once, counted per client address; this process's streams only. */
export type ClientStreams = {
  /** A release function, or null when `client` already has the most streams allowed. */
  take: (client: string) => (() => void) | null;
};

export function createClientStreams(maxPerClient: number): ClientStreams {
  const open = new Map<string, number>();
  return {
    take(client) {
      const count = open.get(client) ?? 0;
      if (count >= maxPerClient) return null;
      open.set(client, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(client) ?? 1) - 1;
        if (left > 0) open.set(client, left);
        else open.delete(client);
      };
    },
  };
}

/** Runs an event-stream handler as one of its client's streams, refused with 429 before it does anything. */
export async function asClientStream(ctx: AppContext, stream: () => Promise<void>): Promise<void> {
  const { clientStreams, config } = ctx.state.services;
  const release = clientStreams.take(ctx.ip);
  if (!release) {
    throw new HttpProblem(
      429,
      'too-many-streams',
      `This client already has ${config.sseMaxPerClient} event streams open (SSE_MAX_PER_CLIENT); close one first`,
      undefined,
      { 'Retry-After': RETRY_AFTER_SECONDS },
    );
  }
  try {
    await stream();
  } finally {
    release();
  }
}
