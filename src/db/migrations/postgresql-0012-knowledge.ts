import { Migration } from '@mikro-orm/migrations';

/**
 * Documents and their chunks (projections/knowledge.projector.ts), and the bytes of uploaded files, as on SQLite
 * (sqlite-0012-knowledge). The chunks' words are a generated tsvector, as search's (postgresql-0008-search).
 */
export class PostgresqlKnowledge extends Migration {
  override up(): void {
    this.addSql(`create table document_files (
      sha256 varchar(64) primary key, size bigint not null, bytes bytea not null
    )`);
    this.addSql(`create table documents (
      id varchar(64) primary key, project_id varchar(64) not null, name text not null,
      mime_type varchar(64) not null, size bigint not null, sha256 varchar(64) not null, failure text null,
      page_count integer null, chunked integer not null, chunk_count integer not null,
      embedded_count integer not null, embedding_model text null, tokenizer text null,
      created_at varchar(32) not null, updated_at varchar(32) not null, deleted_at varchar(32) null,
      version integer not null
    )`);
    this.addSql('create index documents_project_id_created_at_index on documents (project_id, created_at)');
    this.addSql('create index documents_sha256_index on documents (sha256)');
    this.addSql(`create table document_texts (
      id varchar(64) primary key, project_id varchar(64) not null, text text not null, pages jsonb null,
      sections jsonb not null
    )`);
    this.addSql(`create table knowledge_chunks (
      id varchar(64) primary key, document_id varchar(64) not null, project_id varchar(64) not null,
      ord integer not null, text text not null, char_start integer not null, char_end integer not null,
      tokens integer not null, pages jsonb not null, heading jsonb not null, embedded_model text null,
      words tsvector generated always as (to_tsvector('simple', translate(text, '<>', '  '))) stored
    )`);
    this.addSql('create index knowledge_chunks_words_index on knowledge_chunks using gin (words)');
    this.addSql('create index knowledge_chunks_document_id_ord_index on knowledge_chunks (document_id, ord)');
    this.addSql('create index knowledge_chunks_project_id_index on knowledge_chunks (project_id)');
    this.addSql(`create table knowledge_leases (
      document_id varchar(64) primary key, holder varchar(128) not null, expires_at bigint not null
    )`);
  }
}
