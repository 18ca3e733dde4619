import { Migration } from '@mikro-orm/migrations';

export class PostgresqlInit extends Migration {
  override up(): void {
    this.addSql(`create table events (
      position bigserial primary key,
      stream_id varchar(64) not null,
      stream_type varchar(32) not null,
      stream_version integer not null,
      type varchar(64) not null,
      data jsonb not null,
      metadata jsonb not null,
      schema_version integer not null default 1,
      created_at varchar(32) not null,
      constraint events_stream_version_unique unique (stream_id, stream_version)
    )`);
    this.addSql(`create table projection_checkpoints (
      name varchar(64) primary key, position bigint not null, updated_at varchar(32) not null
    )`);
    this.addSql(`create table projects (
      id varchar(64) primary key, name varchar(200) not null, description text null, metadata jsonb not null,
      created_at varchar(32) not null, updated_at varchar(32) not null, deleted_at varchar(32) null,
      version integer not null
    )`);
    this.addSql(`create index projects_created_at_id_index on projects (created_at, id)`);
    this.addSql(`create table conversations (
      id varchar(64) primary key, project_id varchar(64) null, title varchar(500) null, metadata jsonb not null,
      created_at varchar(32) not null, updated_at varchar(32) not null, deleted_at varchar(32) null,
      last_message_at varchar(32) null, activity_at varchar(32) not null, message_count integer not null,
      version integer not null
    )`);
    this.addSql(`create index conversations_activity_at_id_index on conversations (activity_at, id)`);
    this.addSql(`create index conversations_project_id_activity_at_index on conversations (project_id, activity_at)`);
    this.addSql(`create table messages (
      id varchar(64) primary key, conversation_id varchar(64) not null, seq integer not null,
      role varchar(16) not null, content text not null, status varchar(16) not null,
      finish_reason varchar(16) null, reaction varchar(16) null, parent_message_id varchar(64) null,
      token_count integer null, model_name varchar(255) null, completion_time_ms integer null,
      metadata jsonb not null, created_at varchar(32) not null, updated_at varchar(32) not null
    )`);
    this.addSql(`create index messages_conversation_id_seq_index on messages (conversation_id, seq)`);
  }
}
