import type { Exchange } from './exchange.js';

const PEG_ERROR = 'The model produced output that does not match the expected peg-native format';

/**
 * A chat on an embeddings or rerank server: the recorded one (E) still generates, but unforced its model's output
 * fails the harmony parser (f04, as b01/b02 on a chat server without the grammar); a request's own `grammar` gets a
 * normal answer (f04c). A rerank server's chat was not recorded: it is taken to answer the same.
 */
export function asServedChat(exchange: Exchange): Exchange {
  const { options, json } = exchange;
  const grammar = typeof json === 'object' && json !== null && 'grammar' in json;
  if (options.serves === 'chat' || grammar) return exchange;
  return {
    ...exchange,
    options: { ...options, failure: 'stream_error_data', failAfter: 0, errorMessage: PEG_ERROR },
  };
}
