import { expect } from 'vitest';
import type { Decider } from '../../src/domain/shared/decider.js';
import { DomainError, type DomainErrorCode, type InvalidField } from '../../src/domain/shared/domain-error.js';

/** Folds a history from the decider's initial state, as the command layer does before deciding. */
export function fold<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly NoInfer<Event>[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * Given-when-then specification of a decider (Emmett style):
 * `deciderSpec(decider).given([...events]).when(command).then([...events])`.
 */
export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given: (history: readonly Event[]) => ({
      when: (command: Command) => {
        const decide = () => decider.decide(command, fold(decider, history));
        return {
          /** The command succeeds and appends exactly these events, in this order. */
          then: (expected: Event[]) => expect(decide()).toStrictEqual(expected),
          /** The command succeeds and appends nothing. */
          thenNothing: () => expect(decide()).toStrictEqual([]),
          /** The command is refused with a DomainError of this code (and message, path and field, when given). */
          thenThrows: (code: DomainErrorCode, message?: RegExp, path?: string, field?: InvalidField) => {
            let error: unknown;
            try {
              decide();
            } catch (caught) {
              error = caught;
            }
            expect(error, 'expected the command to be refused').toBeInstanceOf(DomainError);
            const domainError = error as DomainError;
            expect(domainError.code).toBe(code);
            if (message) expect(domainError.message).toMatch(message);
            if (path !== undefined) expect(domainError.path).toBe(path);
            if (field !== undefined) expect(domainError.field).toStrictEqual(field);
          },
        };
      },
    }),
  };
}
