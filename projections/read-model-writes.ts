import type { ConversationRow } from './conversation.entity.js';
import type { DocumentRow, DocumentTextRow, KnowledgeChunkRow } from './knowledge.entity.js';
import type { MessageRow } from './message.entity.js';
import type { ProjectRow } from './project.entity.js';
import type { SearchDocumentRow } from './search.entity.js';
import type { UsageMessageRow } from './usage.entity.js';

/** The read model tables projectors write, by name, with the row each holds. */
export type ReadModelRows = {
  projects: ProjectRow;
  conversations: ConversationRow;
  messages: MessageRow;
  search_documents: SearchDocumentRow;
  usage_messages: UsageMessageRow;
  documents: DocumentRow;
  document_texts: DocumentTextRow;
  knowledge_chunks: KnowledgeChunkRow;
};
export type ReadModelTable = keyof ReadModelRows;
export type RowOf<T extends ReadModelTable> = ReadModelRows[T];
export type ColumnOf<T extends ReadModelTable> = keyof RowOf<T> & string;

const OPERATION = Symbol('column operation');

/**
 * A change of a column computed from its current value. The database (one statement), a replay's buffer and the
 * memory of `as_of` can all apply it, which a change written as SQL text could not offer.
 */
export type ColumnOperation = { [OPERATION]: { kind: 'add'; by: number } | { kind: 'append'; text: string } };
export const increment = (by = 1): ColumnOperation => ({ [OPERATION]: { kind: 'add', by } });
/** Appends to a text column; appending to null starts the text (a message's reasoning starts null). */
export const append = (text: string): ColumnOperation => ({ [OPERATION]: { kind: 'append', text } });

export type Value = string | number | boolean | null | Record<string, unknown>;
export type Change = Value | ColumnOperation;

/** New values of some columns of one row, or operations on their current values. */
export type Changes<T extends ReadModelTable> = { [C in ColumnOf<T>]?: RowOf<T>[C] | ColumnOperation };

// A symbol key: no JSON a person sent (metadata) can pass for an operation.
export const isOperation = (value: unknown): value is ColumnOperation =>
  typeof value === 'object' && value !== null && OPERATION in value;

/** The operation of `change`, for an implementation that writes it as SQL. */
export const operationOf = (change: ColumnOperation) => change[OPERATION];

/** What `change` makes of a column's current value, as the database would make it. */
export function applied(current: unknown, change: unknown): unknown {
  if (!isOperation(change)) return change;
  const operation = change[OPERATION];
  switch (operation.kind) {
    case 'add':
      return current === null ? null : Number(current) + operation.by;
    case 'append':
      return `${(current as string | null) ?? ''}${operation.text}`;
  }
}

/** A result now, or once the database answered. */
export type Maybe<T> = T | Promise<T>;

/**
 * All a projector can do to the read models: insert, update and delete rows of the tables, and read columns of a row
 * it wrote before. Where the rows go is the implementation's: the append's transaction (transaction-writes.ts), a
 * replay's batch (batched-writes.ts), or memory for `as_of` (memory-writes.ts). A projector holds no connection, so
 * it can neither run SQL of its own nor query through the ORM (which waits forever for SQLite's one connection).
 */
export type ReadModelWrites = {
  /** Adds a row; a row with the same id is an error. */
  insert: <T extends ReadModelTable>(table: T, row: RowOf<T>) => Maybe<void>;
  /** Changes the row `id`; a missing row is an error, so the append that caused it is rolled back. */
  update: <T extends ReadModelTable>(table: T, id: string, changes: Changes<T>) => Maybe<void>;
  /** Deletes the rows whose `column` holds `value` (a purge); none is fine. Search's index forgets them too. */
  delete: <T extends ReadModelTable>(table: T, column: ColumnOf<T>, value: string) => Maybe<void>;
  /** Some columns of the row `id` as they stand now (JSON parsed); a missing row is an error. */
  row: <T extends ReadModelTable, C extends ColumnOf<T>>(
    table: T,
    id: string,
    columns: readonly C[],
  ) => Maybe<Pick<RowOf<T>, C>>;
};
