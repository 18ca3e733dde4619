import { Migration } from '@mikro-orm/migrations';

export class SqliteInit extends Migration {
  override up(): void {
    this.addSql(`create table events (
      position integer primary key autoincrement,
      stream_id text not null,
      stream_type text not null,
      stream_version integer not null,
      type text not null,
      data text not null,
      metadata text not null,
      schema_version integer not null default 1,
      created_at text not null,
      constraint events_stream_version_unique unique (stream_id, stream_version)
    )`);
    this.addSql(`create table projection_checkpoints (
      name text primary key, position integer not null, updated_at text not null
    )`);
    this.addSql(`create table projects (
      id text primary key, name text not null, description text null, metadata text not null,
      created_at text not null, updated_at text not null, deleted_at text null, version integer not null
    )`);
    this.addSql(`create index projects_created_at_id_index on projects (created_at, id)`);
    this.addSql(`create table conversations (
      id text primary key, project_id text null, title text null, metadata text not null,
      created_at text not null, updated_at text not null, deleted_at text null,
      last_message_at text null, activity_at text not null, message_count integer not null, version integer not null
    )`);
    this.addSql(`create index conversations_activity_at_id_index on conversations (activity_at, id)`);
    this.addSql(`create index conversations_project_id_activity_at_index on conversations (project_id, activity_at)`);
    this.addSql(`create table messages (
      id text primary key, conversation_id text not null, seq integer not null, role text not null,
      content text not null, status text not null, finish_reason text null, reaction text null,
      parent_message_id text null, token_count integer null, model_name text null,
      completion_time_ms integer null, metadata text not null, created_at text not null, updated_at text not null
    )`);
    this.addSql(`create index messages_conversation_id_seq_index on messages (conversation_id, seq)`);
  }
}
