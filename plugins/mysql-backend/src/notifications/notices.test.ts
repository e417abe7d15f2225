import { instanceRecord } from '../__testUtils__/instanceRecord';
import { InstanceObjects } from '../service/InstanceCache';
import { ROLLOUT_ANNOTATION } from '../service/rollout';
import { UPGRADE_ANNOTATION } from '../upgrade/upgradeState';
import {
  backupFailedNotice,
  degradedKey,
  degradedNotice,
  entityPageLink,
  rollbackNotice,
  upgradeNotice,
} from './notices';

const record = instanceRecord('databases', 'orders-db');

function objects(annotations: Record<string, string>): InstanceObjects {
  return {
    ref: record.ref,
    cluster: record.cluster,
    namespace: record.namespace,
    name: record.name,
    statefulSet: { metadata: { name: record.name, annotations } },
    pods: [],
  };
}

describe('entityPageLink', () => {
  it('links to the entity page under /catalog', () => {
    expect(entityPageLink('resource:default/orders-db')).toBe(
      '/catalog/default/resource/orders-db',
    );
    expect(entityPageLink('Resource:team-a/Orders')).toBe(
      '/catalog/team-a/resource/Orders',
    );
  });
});

describe('degradedNotice', () => {
  it('tells the server message, links to the entity and names the spell', () => {
    const notice = degradedNotice(
      record,
      "the server exited: unknown variable 'no_such_option=1'",
      objects({}),
    );
    expect(notice).toEqual({
      key: degradedKey(record),
      payload: {
        title: 'orders-db is Degraded',
        description: "the server exited: unknown variable 'no_such_option=1'",
        link: '/catalog/default/resource/orders-db',
        severity: 'high',
        topic: 'MySQL degraded',
        scope: `mysql:${degradedKey(record)}`,
        metadata: { instance: record.ref },
      },
    });
  });

  it('gives a namesake made later a spell of its own', () => {
    expect(degradedKey(record)).not.toBe(
      degradedKey({ ...record, createdAt: '2026-12-01T00:00:00.000Z' }),
    );
  });

  it('leaves a rollback under way to the rollback notice', () => {
    const rollingBack = objects({
      [ROLLOUT_ANNOTATION]: JSON.stringify({
        hash: 'h',
        startedAt: '2026-11-25T10:00:00.000Z',
        reason: 'rollback',
        cause: 'the pod crashed',
      }),
    });
    expect(
      degradedNotice(record, 'rolling back: the pod crashed', rollingBack),
    ).toBeUndefined();
  });

  it('tells a rollback that failed in turn', () => {
    const failed = objects({
      [ROLLOUT_ANNOTATION]: JSON.stringify({
        hash: 'h',
        startedAt: '2026-11-25T10:00:00.000Z',
        reason: 'rollback',
        failed: 'the pod crashed again',
      }),
    });
    expect(
      degradedNotice(record, 'the pod crashed again', failed)?.payload.title,
    ).toBe('orders-db is Degraded');
  });

  it('leaves a failed upgrade to the upgrade notice', () => {
    const upgrade = {
      from: 'mysql:8.0',
      to: 'mysql:8.4',
      status: 'Failed',
      message: 'restore backup b1 into a new database to go back',
      at: '2026-11-25T10:00:00.000Z',
    };
    const inst = objects({ [UPGRADE_ANNOTATION]: JSON.stringify(upgrade) });
    expect(degradedNotice(record, upgrade.message, inst)).toBeUndefined();
    expect(degradedNotice(record, 'another reason', inst)).toBeDefined();
  });
});

describe('rollbackNotice', () => {
  it('names the changes and the cause, keyed by the failed rollout', () => {
    const notice = rollbackNotice(record, {
      rollbackStartedAt: '2026-11-25T10:00:00.000Z',
      cause: "unknown variable 'no_such_option=1'",
      changes: ['no_such_option: (unset) → 1'],
    });
    expect(notice.key).toBe(`rollback:${record.ref}@2026-11-25T10:00:00.000Z`);
    expect(notice.payload).toMatchObject({
      title: 'orders-db: configuration rolled back',
      link: '/catalog/default/resource/orders-db',
      topic: 'MySQL rollback',
    });
    expect(notice.payload.description).toBe(
      "no_such_option: (unset) → 1 did not run (unknown variable 'no_such_option=1'); the last configuration that ran is being restored.",
    );
  });
});

describe('backupFailedNotice', () => {
  it('is keyed by the backup', () => {
    const notice = backupFailedNotice(record, {
      id: '20261125100000-abcd',
      trigger: 'schedule',
      message: 'mysqldump: Got error 2013',
    });
    expect(notice.key).toBe(`backup:${record.ref}:20261125100000-abcd`);
    expect(notice.payload.description).toBe(
      'The schedule backup 20261125100000-abcd failed: mysqldump: Got error 2013',
    );
  });
});

describe('upgradeNotice', () => {
  const state = {
    from: 'mysql:8.0',
    to: 'mysql:8.4',
    backup: 'b1',
    at: '2026-11-25T10:00:00.000Z',
  };

  it('tells each way an upgrade ends, once per upgrade', () => {
    const done = upgradeNotice(record, { ...state, status: 'Completed' });
    const back = upgradeNotice(record, {
      ...state,
      status: 'RolledBack',
      message: 'the image was not pulled; mysql:8.0 runs again',
    });
    const failed = upgradeNotice(record, {
      ...state,
      status: 'Failed',
      message: 'restore backup b1',
    });
    expect(done?.payload.title).toBe('orders-db was upgraded to mysql:8.4');
    expect(back?.payload).toMatchObject({
      title: 'orders-db: upgrade rolled back',
      topic: 'MySQL rollback',
    });
    expect(failed?.payload).toMatchObject({
      description: 'restore backup b1',
      severity: 'critical',
    });
    expect(done?.key).toBe(
      `upgrade:${record.ref}:mysql:8.0>mysql:8.4@2026-11-25T10:00:00.000Z`,
    );
  });

  it('tells nothing while it runs', () => {
    expect(
      upgradeNotice(record, { ...state, status: 'Upgrading' }),
    ).toBeUndefined();
  });
});
