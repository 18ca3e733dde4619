// The import boundaries of the architecture (docs/architecture.md), as an ESLint rule: each layer names the
// folders or packages it may not import, or the only ones it may. Relative imports are resolved against the
// importing file, so the rule holds at any depth.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The place an import names: a path from the project root for a relative import, else the package. */
function targetOf(file, source) {
  if (!source.startsWith('.')) return source;
  return path.posix.join(path.posix.dirname(file), source).replace(/\.(js|ts|mjs)$/, '');
}

const within = (target, place) => target === place || target.startsWith(`${place}/`);

/** Whether `file` is under `from`: a folder, a file, or a pattern whose `*` stands for part of one name. */
function under(file, from) {
  if (!from.includes('*')) return within(file, from);
  const pattern = from.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${pattern.join('[^/]*')}$`).test(file);
}

/** Why `target` may not be imported under `layer`, or undefined when it may. */
function breach(layer, target) {
  if (layer.allow?.some((place) => within(target, place))) return undefined;
  if (layer.only && !layer.only.some((place) => within(target, place))) return layer.why;
  if (layer.deny?.some((place) => within(target, place))) return layer.why;
  return undefined;
}

export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps each layer to the imports the architecture allows it' },
    schema: [{ type: 'array' }],
    messages: { forbidden: "{{layer}} may not import '{{source}}': {{why}}" },
  },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layers = (context.options[0] ?? []).filter((layer) => [layer.from].flat().some((from) => under(file, from)));
    if (layers.length === 0) return {};
    const check = (node) => {
      if (node.source?.type !== 'Literal' || typeof node.source.value !== 'string') return;
      const source = node.source.value;
      const target = targetOf(file, source);
      for (const layer of layers) {
        const why = breach(layer, target);
        if (why)
          context.report({
            node: node.source,
            messageId: 'forbidden',
            data: { layer: layer.name ?? layer.from, source, why },
          });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { boundaries } };
