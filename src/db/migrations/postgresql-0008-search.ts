import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search (projections/search.projector.ts). The projector writes `search_documents`; PostgreSQL keeps a
 * tsvector of `body` in a generated column, indexed with GIN. The `simple` configuration lowercases and keeps
 * every word, in any language, without stemming (as the SQLite index). The default parser reads `<word>` as an
 * HTML tag and drops it: angle brackets are read as spaces, so code and markup stay searchable.
 * Existing conversations are indexed by a replay: a new projector is filled from the log on the next start.
 */
export class PostgresqlSearch extends Migration {
  override up(): void {
    this.addSql(`create table search_documents (
      id varchar(64) primary key, conversation_id varchar(64) not null, message_id varchar(64) null,
      role varchar(16) null, body text not null,
      words tsvector generated always as (to_tsvector('simple', translate(body, '<>', '  '))) stored
    )`);
    this.addSql('create index search_documents_words_index on search_documents using gin (words)');
    this.addSql('create index search_documents_conversation_id_index on search_documents (conversation_id)');
  }
}
