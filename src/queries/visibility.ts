/** SQL condition: the conversation aliased `c` is not hidden by a deleted project. */
export const projectNotDeleted =
  '(c.project_id is null or not exists (select 1 from projects p where p.id = c.project_id and p.deleted_at is not null))';
