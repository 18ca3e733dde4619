import { Migration } from '@mikro-orm/migrations';

/**
 * Chunk vectors (src/knowledge/vector-index), without pgvector: each vector is float32 little-endian bytes, and a
 * search runs in the process over a cached matrix of the project's vectors. `knowledge_vector_versions` holds a
 * stamp per project, drawn from a sequence by every store and removal in the same transaction: a process compares
 * it with the stamp its cache was loaded at before each search. A sequence never hands out a value twice, also not
 * after a rollback, so a stamp seen once always means the same rows. `text_hash` names the text a vector is of, so the
 * same text is not embedded twice.
 */
export class PostgresqlVectors extends Migration {
  override up(): void {
    this.addSql(`create table knowledge_vectors (
      chunk_id text primary key, project_id text not null, document_id text not null, model text not null,
      dimensions integer not null, vector bytea not null, text_hash text,
      constraint knowledge_vectors_vector_length check (octet_length(vector) = 4 * dimensions)
    )`);
    this.addSql(
      'create index knowledge_vectors_project_model_index on knowledge_vectors (project_id, model, dimensions)',
    );
    this.addSql('create index knowledge_vectors_document_id_index on knowledge_vectors (document_id)');
    this.addSql('create index knowledge_vectors_text_index on knowledge_vectors (model, text_hash)');
    this.addSql('create sequence knowledge_vector_stamps');
    this.addSql('create table knowledge_vector_versions (project_id text primary key, stamp bigint not null)');
  }
}
