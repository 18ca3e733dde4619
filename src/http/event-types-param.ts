import { Type } from 'typebox';
import { domainEventTypes, type DomainEventType } from '../domain/domain-event.js';
import { HttpProblem } from './problem.js';

const known: ReadonlySet<string> = new Set(domainEventTypes);

/** `?types=A,B`: the event types a client wants, checked against the known ones by parseEventTypes. */
export const EventTypesParam = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: `Only events of these types, comma-separated: ${domainEventTypes.join(', ')}`,
});

/** The set `types` names; an unknown or empty name is a 422 naming it. */
export function parseEventTypes(types: string): ReadonlySet<DomainEventType> {
  const names = types.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) {
    const message =
      unknown === ''
        ? 'names an empty event type; give comma-separated event types'
        : `names an unknown event type ${JSON.stringify(unknown.slice(0, 64))}`;
    throw new HttpProblem(422, 'validation', `query/types: ${message}`, [{ path: 'query/types', message }]);
  }
  return new Set(names as DomainEventType[]);
}
