import { answerChat } from './chat-handler.js';
import { health, type Endpoint } from './endpoints.js';
import type { Exchange } from './exchange.js';
import type { LlamaDoubleOptions } from './options.js';
import { modernPropsBody } from './props-modern.js';
import { routerModelPath, routerModelsBody, routerPropsBody } from './router-bodies.js';
import type { RouterModel, RouterState } from './router-state.js';
import { errorBody, sendJson, setHeadStyle } from './wire.js';

/** The options a router's child runs with: a modern server of one slot serving the model under its id. */
function childOptions(options: LlamaDoubleOptions, model: RouterModel): LlamaDoubleOptions {
  return {
    ...options,
    server: 'modern',
    modelAlias: model.id,
    modelPath: routerModelPath(model.id),
    nCtx: model.nCtx,
    totalSlots: 1,
  };
}

const refuse = (exchange: Exchange, message: string) => sendJson(exchange.response, 400, errorBody(400, message));

function routerOf(exchange: Exchange): RouterState {
  if (!exchange.router) throw new Error('a router endpoint answered a request of a double that is no router');
  return exchange.router;
}

/**
 * Finds the model a request names and makes sure its child runs, answering the router's 400 when it cannot;
 * then the child answers, relayed with the router's proxy headers.
 */
async function viaChild(exchange: Exchange, name: unknown, answer: (child: Exchange) => unknown): Promise<void> {
  const router = routerOf(exchange);
  if (typeof name !== 'string') return refuse(exchange, 'model name is missing from the request');
  const model = router.find(name);
  if (!model) return refuse(exchange, `model '${name}' not found`);
  if ((await router.ready(name)) === 'not loaded') return refuse(exchange, 'model is not loaded');
  setHeadStyle(exchange.response, 'proxied');
  await answer({ ...exchange, options: childOptions(exchange.options, model) });
}

const props: Endpoint = (exchange) => {
  const name = exchange.query.get('model');
  if (name === null) return sendJson(exchange.response, 200, routerPropsBody(routerOf(exchange).options));
  return viaChild(exchange, name, (child) => sendJson(child.response, 200, modernPropsBody(child.options)));
};

const models: Endpoint = (exchange) => sendJson(exchange.response, 200, routerModelsBody(routerOf(exchange).models()));

function requestedModel(exchange: Exchange): unknown {
  const json = exchange.json;
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>).model : undefined;
}

/** The known model a load or unload names; null once the refusal is sent. */
function namedModel(exchange: Exchange): string | null {
  const name = requestedModel(exchange);
  if (typeof name !== 'string') {
    refuse(exchange, 'model name is missing from the request');
    return null;
  }
  if (!routerOf(exchange).find(name)) {
    refuse(exchange, `model '${name}' not found`);
    return null;
  }
  return name;
}

/** POST /models/load: answered at once, the child loads meanwhile (GET /models shows `loading`). */
const load: Endpoint = (exchange) => {
  const name = namedModel(exchange);
  if (name === null) return;
  switch (routerOf(exchange).load(name)) {
    case 'loading':
      return sendJson(exchange.response, 200, { success: true });
    case 'already running':
      return refuse(exchange, 'model is already running');
  }
};

/** POST /models/unload: answered at once; GET /models shows `loaded` until the child has exited. */
const unload: Endpoint = (exchange) => {
  const name = namedModel(exchange);
  if (name === null) return;
  switch (routerOf(exchange).unload(name)) {
    case 'unloading':
      return sendJson(exchange.response, 200, { success: true });
    case 'not running':
      return refuse(exchange, 'model is not running');
  }
};

/** A chat goes to the child of the model it names; a body that is not JSON is refused as the child would. */
const chat: Endpoint = (exchange, body) => {
  if (exchange.json === undefined) return answerChat(exchange, body);
  return viaChild(exchange, requestedModel(exchange), (child) => answerChat(child, body));
};

/** A router (llama-server --models-dir) answers these itself or through the child of the model they name. */
export const ROUTER_ENDPOINTS: Record<string, Endpoint> = {
  'GET /health': health,
  'GET /props': props,
  'GET /models': models,
  'GET /v1/models': models,
  'POST /models/load': load,
  'POST /models/unload': unload,
  'POST /v1/chat/completions': chat,
};
