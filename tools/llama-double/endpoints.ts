import { answerChat } from './chat-handler.js';
import { asServedChat } from './embedding-server-chat.js';
import { EMBEDDING_ENDPOINTS } from './embeddings-endpoint.js';
import type { Exchange } from './exchange.js';
import { modelsBody } from './models-body.js';
import { propsBody } from './props-body.js';
import { modernSlotsBody } from './props-modern.js';
import { RERANK_ENDPOINTS } from './rerank-endpoint.js';
import { BOS_ID, pieces, tokenId } from './tokenizer.js';
import { errorBody, httpLayerError, LOADING, NOT_FOUND, sendJson } from './wire.js';

export type Endpoint = (exchange: Exchange, body: string) => void | Promise<void>;

export const health: Endpoint = ({ response, options }) =>
  options.mode === 'loading'
    ? sendJson(response, 503, httpLayerError(options.server, LOADING))
    : sendJson(response, 200, { status: 'ok' });

const props: Endpoint = ({ response, options }) => sendJson(response, 200, propsBody(options));

const models: Endpoint = ({ response, options }) => sendJson(response, 200, modelsBody(options));

/** The modern server has /slots on by default; b4748 answers 501 unless started with --slots. */
const slots: Endpoint = ({ response, options }) => {
  switch (options.server) {
    case 'b4748':
      return sendJson(
        response,
        501,
        errorBody(501, 'This server does not support slots endpoint. Start it with `--slots`'),
      );
    case 'modern':
      return sendJson(response, 200, modernSlotsBody(options));
  }
};

/**
 * {"tokens":[ids]}, or {"tokens":[{id,piece}]} with with_pieces, as tokenize_plain.txt and tokenize.txt; the same on
 * an embeddings or rerank server, whose inputs are counted the same way (without the BOS of add_special).
 */
const tokenize: Endpoint = ({ response, options, json }) => {
  if (!options.tokenize) return sendJson(response, 404, httpLayerError(options.server, NOT_FOUND));
  const request = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (typeof request.content !== 'string') {
    return sendJson(response, 500, errorBody(500, "[json.exception.out_of_range.403] key 'content' not found"));
  }
  const textPieces = pieces(request.content);
  if (request.with_pieces === true) {
    return sendJson(response, 200, { tokens: textPieces.map((piece) => ({ id: tokenId(piece), piece })) });
  }
  const ids = textPieces.map(tokenId);
  // The recorded b4748 model adds a BOS; the modern one, of gpt-oss's vocabulary, none.
  const bos = request.add_special === true && options.server === 'b4748';
  sendJson(response, 200, { tokens: bos ? [BOS_ID, ...ids] : ids });
};

export const ENDPOINTS: Record<string, Endpoint> = {
  'GET /health': health,
  'GET /props': props,
  'GET /v1/models': models,
  'GET /models': models,
  'GET /slots': slots,
  'POST /tokenize': tokenize,
  'POST /v1/chat/completions': (exchange, body) => answerChat(asServedChat(exchange), body),
  ...EMBEDDING_ENDPOINTS,
  ...RERANK_ENDPOINTS,
};
