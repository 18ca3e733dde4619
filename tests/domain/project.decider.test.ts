import { describe, expect, it } from 'vitest';
import { projectDecider } from '../../src/domain/project/project.decider.js';
import type { ProjectEvent } from '../../src/domain/project/project.events.js';
import { deciderSpec, fold } from '../support/decider-spec.js';

const spec = deciderSpec(projectDecider);

const body = { name: 'Research', description: 'Papers to read', metadata: { color: 'blue' } };
/** What CreateProject carries besides the body: nothing else is named by its id. */
const fresh = { id_taken_by: null, settings: {} };
const created: ProjectEvent = { type: 'ProjectCreated', data: { project_id: 'p-1', ...body } };
const deleted: ProjectEvent = { type: 'ProjectDeleted', data: { project_id: 'p-1' } };
const restored: ProjectEvent = { type: 'ProjectRestored', data: { project_id: 'p-1' } };

describe('project decider', () => {
  describe('CreateProject', () => {
    it('creating on an empty stream records ProjectCreated with the whole body', () => {
      spec
        .given([])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh } })
        .then([{ type: 'ProjectCreated', data: { project_id: 'p-1', ...body } }]);
    });

    it('a retried create with the same id and body appends nothing', () => {
      spec
        .given([created])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh } })
        .thenNothing();
    });

    it('a retried create whose metadata keys come in another order still appends nothing', () => {
      spec
        .given([{ type: 'ProjectCreated', data: { project_id: 'p-1', ...body, metadata: { a: 1, b: 2 } } }])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh, metadata: { b: 2, a: 1 } } })
        .thenNothing();
    });

    it('a create with an existing id but another name is a conflict', () => {
      spec
        .given([created])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh, name: 'Other' } })
        .thenThrows('conflict', /p-1 already exists/);
    });

    it('a create with an existing id but other metadata is a conflict', () => {
      spec
        .given([created])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh, metadata: { color: 'red' } } })
        .thenThrows('conflict');
    });

    it('a retried create compares with the created body, not the current one after an update', () => {
      spec
        .given([created, { type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Renamed' } }])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh } })
        .thenNothing();
    });
  });

  describe('UpdateProject', () => {
    it('an update records only the fields that changed', () => {
      spec
        .given([created])
        .when({
          type: 'UpdateProject',
          data: { project_id: 'p-1', name: 'Renamed', description: body.description, metadata: { color: 'blue' } },
        })
        .then([{ type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Renamed' } }]);
    });

    it('an update can clear the description and replace the metadata in one event', () => {
      spec
        .given([created])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', description: null, metadata: { color: 'red' } } })
        .then([{ type: 'ProjectUpdated', data: { project_id: 'p-1', description: null, metadata: { color: 'red' } } }]);
    });

    it('an update that changes nothing appends nothing', () => {
      spec
        .given([created])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', ...body, metadata: { color: 'blue' } } })
        .thenNothing();
    });

    it('an update with no fields appends nothing', () => {
      spec
        .given([created])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1' } })
        .thenNothing();
    });

    it('an update compares with the current state, so restoring the created name is a change', () => {
      spec
        .given([created, { type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Renamed' } }])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', name: 'Research' } })
        .then([{ type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Research' } }]);
    });

    it('updating a project that was never created is not_found', () => {
      spec
        .given([])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', name: 'Renamed' } })
        .thenThrows('not_found', /p-1 not found/);
    });

    it('updating a deleted project is not_found', () => {
      spec
        .given([created, deleted])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', name: 'Renamed' } })
        .thenThrows('not_found', /p-1 not found/);
    });
  });

  describe('DeleteProject', () => {
    it('deleting an active project records ProjectDeleted', () => {
      spec
        .given([created])
        .when({ type: 'DeleteProject', data: { project_id: 'p-1' } })
        .then([deleted]);
    });

    it('deleting an already deleted project appends nothing', () => {
      spec
        .given([created, deleted])
        .when({ type: 'DeleteProject', data: { project_id: 'p-1' } })
        .thenNothing();
    });

    it('deleting a project that was never created is not_found', () => {
      spec
        .given([])
        .when({ type: 'DeleteProject', data: { project_id: 'p-1' } })
        .thenThrows('not_found', /p-1/);
    });
  });

  describe('RestoreProject', () => {
    it('restoring a deleted project records ProjectRestored', () => {
      spec
        .given([created, deleted])
        .when({ type: 'RestoreProject', data: { project_id: 'p-1' } })
        .then([restored]);
    });

    it('restoring an active project appends nothing', () => {
      spec
        .given([created])
        .when({ type: 'RestoreProject', data: { project_id: 'p-1' } })
        .thenNothing();
    });

    it('restoring a project that was restored already appends nothing', () => {
      spec
        .given([created, deleted, restored])
        .when({ type: 'RestoreProject', data: { project_id: 'p-1' } })
        .thenNothing();
    });

    it('restoring a project that was never created is not_found', () => {
      spec
        .given([])
        .when({ type: 'RestoreProject', data: { project_id: 'p-1' } })
        .thenThrows('not_found', /p-1/);
    });

    it('a restored project can be updated again', () => {
      spec
        .given([created, deleted, restored])
        .when({ type: 'UpdateProject', data: { project_id: 'p-1', name: 'Back' } })
        .then([{ type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Back' } }]);
    });
  });

  describe('evolve', () => {
    it('the initial state is missing', () => {
      expect(projectDecider.initialState()).toStrictEqual({ status: 'missing' });
    });

    it('folding a full history yields the current fields, the created body and the last status', () => {
      const state = fold(projectDecider, [
        created,
        { type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Renamed' } },
        { type: 'ProjectUpdated', data: { project_id: 'p-1', description: null, metadata: { color: 'red' } } },
        deleted,
        restored,
        deleted,
      ]);
      expect(state).toStrictEqual({
        status: 'deleted',
        id: 'p-1',
        name: 'Renamed',
        description: null,
        metadata: { color: 'red' },
        settings: {},
        created: { ...body, settings: {} },
      });
    });

    it('events other than ProjectCreated leave a missing project missing', () => {
      const state = fold(projectDecider, [
        { type: 'ProjectUpdated', data: { project_id: 'p-1', name: 'Renamed' } },
        deleted,
        restored,
      ]);
      expect(state).toStrictEqual({ status: 'missing' });
    });
  });
});

describe('PurgeProject', () => {
  const purge = { type: 'PurgeProject' as const, data: { project_id: 'p-1' } };
  const purged: ProjectEvent = { type: 'ProjectPurged', data: { project_id: 'p-1' } };

  it('purging a project, active or soft-deleted, records only a content-free tombstone', () => {
    spec.given([created]).when(purge).then([purged]);
    spec.given([created, deleted]).when(purge).then([purged]);
  });

  it('purging what does not exist, or was purged, is not found', () => {
    spec.given([]).when(purge).thenThrows('not_found');
    spec.given([created, purged]).when(purge).thenThrows('not_found');
  });

  it('after a purge the project cannot be changed, restored or created again under its id', () => {
    spec
      .given([purged])
      .when({ type: 'UpdateProject', data: { project_id: 'p-1', name: 'Back' } })
      .thenThrows('not_found');
    spec
      .given([purged])
      .when({ type: 'RestoreProject', data: { project_id: 'p-1' } })
      .thenThrows('not_found');
    spec
      .given([purged])
      .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, ...fresh } })
      .thenThrows('conflict', /purged/);
    expect(fold(projectDecider, [created, purged])).toStrictEqual({ status: 'purged' });
  });
});

describe('CreateProject with an id that names something else', () => {
  for (const owner of ['conversation', 'message', 'chat session'] as const) {
    it(`an id that already belongs to a ${owner} is a conflict saying so`, () => {
      spec
        .given([])
        .when({ type: 'CreateProject', data: { project_id: 'p-1', ...body, settings: {}, id_taken_by: owner } })
        .thenThrows('conflict', new RegExp(`^Id p-1 already belongs to a ${owner}$`));
    });
  }
});

describe('ReceiveConversations (an import into the project)', () => {
  const receive = { type: 'ReceiveConversations' as const, data: { project_id: 'p-1' } };
  const refusal = { in: 'query', pointer: '/project_id', message: 'names no project, or a deleted one: p-1' } as const;

  it('an active project takes the conversations, changing nothing of its own', () => {
    spec.given([created]).when(receive).thenNothing();
    spec.given([created, deleted, restored]).when(receive).thenNothing();
  });

  it('a missing, deleted or purged project is refused naming query/project_id', () => {
    const purged: ProjectEvent = { type: 'ProjectPurged', data: { project_id: 'p-1' } };
    for (const history of [[], [created, deleted], [purged]]) {
      spec
        .given(history)
        .when(receive)
        .thenThrows('invalid', /^query\/project_id: names no project, or a deleted one: p-1$/, undefined, refusal);
    }
  });
});
