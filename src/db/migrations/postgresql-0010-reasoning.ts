import { Migration } from '@mikro-orm/migrations';

/** A message's reasoning (a thinking model's analysis), kept apart from its answer; null for every older message. */
export class PostgresqlReasoning extends Migration {
  override up(): void {
    this.addSql('alter table messages add column reasoning text null');
  }
}
