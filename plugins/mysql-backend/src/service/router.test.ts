import { ConflictError } from '@backstage/errors';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { BackupRunner } from '../backups/BackupRunner';
import { Restorer } from '../backups/Restorer';
import { Deleter } from '../provision/Deleter';
import { Deletions } from '../provision/Deletions';
import { Upgrader } from '../upgrade/Upgrader';
import { Provisioner } from '../provision/Provisioner';
import { instanceRecord } from '../__testUtils__/instanceRecord';
import { InstanceRecord } from './InstanceRecords';
import { InstanceService } from './InstanceService';
import { InstanceFleet } from '../fleet/InstanceFleet';
import { createRouter } from './router';

const USER = mockCredentials.user().principal.userEntityRef;

// Two instances named alike in two namespaces, each with its own entity.
const ours = instanceRecord('shop', 'orders-db');
const theirs = instanceRecord('billing', 'orders-db-billing', {
  owner: 'group:default/payments',
});
const mine = instanceRecord('scratch', 'orders-db-scratch', {
  createdBy: USER,
});

/** The entity our provider makes for a record. */
function entity(r: InstanceRecord, location = `mysql-provider:${r.ref}`) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: r.entityRef.split('/')[1],
      namespace: 'default',
      annotations: { 'backstage.io/managed-by-location': location },
    },
    spec: { type: 'database', owner: r.owner },
  };
}

async function app(
  options: {
    allow?: (permission: string, resourceRef?: string) => boolean;
    entities?: object[];
  } = {},
) {
  const records = [ours, theirs, mine];
  const byNamespace = (ns: string) => records.find(r => r.namespace === ns)!;
  const service = {
    listRecords: jest.fn(() => records),
    summaries: jest.fn(async (rs: InstanceRecord[]) =>
      rs.map(r => ({
        name: r.name,
        namespace: r.namespace,
        cluster: r.cluster,
        owner: r.owner,
        status: { phase: 'Running', since: '2026-11-25T10:00:00.000Z' },
        version: { image: 'mysql:8.4', server: '8.4.3' },
      })),
    ),
    record: jest.fn(async (ref: { namespace: string }) =>
      byNamespace(ref.namespace),
    ),
    detail: jest.fn(async (ref: { namespace: string }) => ({
      name: 'orders-db',
      namespace: ref.namespace,
    })),
    seen: jest.fn(async () => undefined),
    updateConfig: jest.fn(async () => ({ changes: ['max_connections=200'] })),
    restart: jest.fn(async () => undefined),
  };
  const provisioner = {
    plan: jest.fn(() => ({ name: 'new-db', manifests: 'kind: Secret' })),
    create: jest.fn(async (_input: unknown, opts: any) => {
      await opts.authorizeRerun(ours);
      return {
        ref: { cluster: 'sandbox', namespace: 'shop', name: 'orders-db' },
        run: { id: 'run-1', created: ['Secret shop/orders-db'] },
      };
    }),
    run: jest.fn(async () => ({ actor: 'user:default/someone-else' })),
    undo: jest.fn(async () => undefined),
  };
  const deleter = {
    delete: jest.fn(async () => ({
      deleted: ['StatefulSet shop/orders-db'],
      kept: [],
    })),
  };
  const backups = {
    start: jest.fn(async () => ({
      id: '20261201000000-abcd',
      status: 'Running',
    })),
    forget: jest.fn(async () => undefined),
    checkPolicy: jest.fn(),
  };
  const deletions = {
    request: jest.fn(async () => ({
      deleted: [],
      kept: [],
      pending: {
        backup: 'final',
        message: 'deleting once the final backup final has completed',
      },
    })),
  };
  const upgrader = { request: jest.fn(async () => undefined) };
  const allow = options.allow ?? (() => true);
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => ({
        result: allow(
          r.permission.name,
          'resourceRef' in r ? r.resourceRef : undefined,
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  });
  const auditor = mockServices.auditor.mock();
  const events: Array<{ success: jest.Mock; fail: jest.Mock }> = [];
  auditor.createEvent.mockImplementation(async () => {
    const event = { success: jest.fn(), fail: jest.fn() };
    events.push(event);
    return event;
  });
  // Every instance was backed up an hour ago, except the one in billing.
  const lastBackups = new Map(
    records
      .filter(r => r.namespace !== 'billing')
      .map(r => [r.ref, new Date(Date.now() - 3600_000).toISOString()]),
  );
  const router = await createRouter({
    service: service as unknown as InstanceService,
    fleet: new InstanceFleet(
      service as unknown as InstanceService,
      {
        lastCompletedBackups: async () => lastBackups,
        listPolicies: async () => new Map(),
      },
      { defaults: { schedule: '0 3 * * *' }, graceLimitMs: 3600_000 },
    ),
    provisioner: provisioner as unknown as Provisioner,
    deleter: deleter as unknown as Deleter,
    deletions: deletions as unknown as Deletions,
    backups: backups as unknown as BackupRunner,
    restorer: {} as Restorer,
    upgrader: upgrader as unknown as Upgrader,
    catalog: catalogServiceMock({
      entities: (options.entities ?? [entity(ours), entity(theirs)]) as any,
    }),
    auth: mockServices.auth(),
    httpAuth: mockServices.httpAuth(),
    permissions,
    auditor,
    logger: mockServices.logger.mock(),
  });
  const server = express().use(router).use(mockErrorHandler());
  return {
    server,
    service,
    provisioner,
    deleter,
    deletions,
    backups,
    upgrader,
    permissions,
    auditor,
    events,
  };
}

const user = mockCredentials.user.header();
const OURS = '/instances/sandbox/shop/orders-db';
const THEIRS = '/instances/sandbox/billing/orders-db';

describe('createRouter', () => {
  it('answers reads for users and services', async () => {
    const { server } = await app();
    const list = await request(server)
      .get('/instances')
      .set('Authorization', user);
    expect(list.status).toBe(200);
    const service = await request(server)
      .get(OURS)
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
    const all = await request(server)
      .get('/instances')
      .set('Authorization', mockCredentials.service.header());
    expect(all.body.items).toHaveLength(3);
  });

  it('shows a user only instances whose entity they may read, or that they created', async () => {
    const { server } = await app();
    const withoutEntity = instanceRecord('hidden', 'orders-db-hidden');
    const { server: other, service } = await app();
    service.listRecords.mockReturnValue([ours, withoutEntity, mine]);
    const list = await request(other)
      .get('/instances')
      .set('Authorization', user);
    expect(list.body.items.map((i: any) => i.namespace)).toEqual([
      'shop',
      'scratch',
    ]);
    service.record.mockResolvedValue(withoutEntity);
    const hidden = await request(other)
      .get('/instances/sandbox/hidden/orders-db')
      .set('Authorization', user);
    expect(hidden.status).toBe(404);
    const created = await request(server)
      .get('/instances/sandbox/scratch/orders-db')
      .set('Authorization', user);
    expect(created.status).toBe(200);
  });

  describe('GET /instances for the fleet page', () => {
    const service_ = mockCredentials.service.header();
    const names = (res: request.Response) =>
      res.body.items.map((i: any) => i.namespace);

    it('answers every readable instance without a query, as before, with totalCount, last backups and attention', async () => {
      const { server } = await app();
      const res = await request(server)
        .get('/instances')
        .set('Authorization', service_);
      expect(res.status).toBe(200);
      expect(res.body.totalCount).toBe(3);
      // The records' order, not sorted: nothing asked for a page.
      expect(names(res)).toEqual(['shop', 'billing', 'scratch']);
      const billing = res.body.items[1];
      expect(billing.lastBackup).toBeUndefined();
      expect(billing.needsAttention).toEqual([
        { kind: 'backup', message: 'no backup has completed yet' },
      ]);
      expect(res.body.items[0].lastBackup).toEqual({
        completedAt: expect.any(String),
      });
      expect(res.body.items[0].needsAttention).toEqual([]);
    });

    it('filters only what the caller may read, and counts only that', async () => {
      const { server, service } = await app();
      // Owned by team-a like the others and never backed up, but its
      // entity is not readable by the user.
      const hidden = instanceRecord('hidden', 'orders-db-hidden');
      service.listRecords.mockReturnValue([ours, hidden, mine]);
      const byOwner = await request(server)
        .get('/instances?owner=team-a')
        .set('Authorization', user);
      expect(names(byOwner)).toEqual(['scratch', 'shop']);
      expect(byOwner.body.totalCount).toBe(2);
      const attention = await request(server)
        .get('/instances?needsAttention=true')
        .set('Authorization', user);
      expect(attention.body).toEqual({ items: [], totalCount: 0 });
      // A service reads them all, the hidden one included.
      const asService = await request(server)
        .get('/instances?needsAttention=true')
        .set('Authorization', service_);
      expect(names(asService)).toEqual(['hidden']);
      expect(asService.body.items[0].needsAttention[0].kind).toBe('backup');
    });

    it('filters by owner (name or full ref), cluster, phase, name and attention', async () => {
      const { server } = await app();
      const get = (query: string) =>
        request(server)
          .get(`/instances?${query}`)
          .set('Authorization', service_);
      expect(names(await get('owner=group:default/payments'))).toEqual([
        'billing',
      ]);
      expect(names(await get('owner=PAYMENTS'))).toEqual(['billing']);
      expect(names(await get('owner=default/payments'))).toEqual(['billing']);
      expect(names(await get('cluster=sandbox'))).toHaveLength(3);
      expect(names(await get('cluster=elsewhere'))).toEqual([]);
      expect(names(await get('phase=Running'))).toHaveLength(3);
      expect(names(await get('phase=Degraded'))).toEqual([]);
      expect(names(await get('q=ORDERS-d'))).toHaveLength(3);
      expect(names(await get('q=payments'))).toEqual([]);
      expect(names(await get('needsAttention=true'))).toEqual(['billing']);
      expect(names(await get('needsAttention=false'))).toEqual([
        'scratch',
        'shop',
      ]);
    });

    it('pages by name, cluster and namespace, with the total of every page', async () => {
      const { server } = await app();
      const page = await request(server)
        .get('/instances?limit=1&offset=1')
        .set('Authorization', service_);
      expect(names(page)).toEqual(['scratch']);
      expect(page.body.totalCount).toBe(3);
      const past = await request(server)
        .get('/instances?limit=2&offset=2')
        .set('Authorization', service_);
      expect(names(past)).toEqual(['shop']);
      const beyond = await request(server)
        .get('/instances?offset=10')
        .set('Authorization', service_);
      expect(beyond.body).toEqual({ items: [], totalCount: 3 });
    });

    it.each([
      ['needs_attention=true', 'unknown parameter needs_attention'],
      ['limit=501', 'limit'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit: must be a whole number'],
      ['offset=-1', 'offset'],
      ['phase=Failed', 'phase'],
      ['needsAttention=yes', 'needsAttention'],
      ['owner=a&owner=b', 'owner'],
    ])('answers 400 to ?%s', async (query, message) => {
      const { server, service } = await app();
      const res = await request(server)
        .get(`/instances?${query}`)
        .set('Authorization', user);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
      expect(service.summaries).not.toHaveBeenCalled();
    });
  });

  it('answers 401 without credentials', async () => {
    const { server, service } = await app();
    const read = await request(server)
      .get('/instances')
      .set('Authorization', mockCredentials.none.header());
    expect(read.status).toBe(401);
    const write = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', mockCredentials.none.header())
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(write.status).toBe(401);
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('checks writes against the entity recorded for that exact instance: an owner of one namesake gets 403 on the other', async () => {
    const { server, service, permissions, events } = await app({
      allow: (_permission, resourceRef) => resourceRef === ours.entityRef,
    });
    const own = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(own.status).toBe(202);

    const edit = await request(server)
      .put(`${THEIRS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(edit.status).toBe(403);
    expect(edit.body.error.name).toBe('NotAllowedError');
    const restart = await request(server)
      .post(`${THEIRS}/restart`)
      .set('Authorization', user);
    expect(restart.status).toBe(403);
    expect(service.updateConfig).toHaveBeenCalledTimes(1);
    expect(service.restart).not.toHaveBeenCalled();
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'mysql.instance.config.update',
          }),
          resourceRef: 'resource:default/orders-db-billing',
        }),
      ],
      expect.anything(),
    );
    // Both denials are audited as failures.
    expect(events.filter(e => e.fail.mock.calls.length > 0)).toHaveLength(2);
  });

  it('answers 403 when the catalog entity of that name is not the one the backend made', async () => {
    const { server, service } = await app({
      entities: [
        entity(ours, 'url:https://example.com/orders-db.yaml'),
        entity(theirs),
      ],
    });
    const res = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'is not the entity of sandbox/shop/orders-db',
    );
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('answers 503 when a denial comes from an entity not in the catalog yet', async () => {
    const { server, service } = await app({
      allow: (_permission, resourceRef) => resourceRef === undefined,
      entities: [entity(theirs)],
    });
    const res = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain('is not in the catalog yet');
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('answers 403 to a service writing', async () => {
    const { server, service, events } = await app();
    const asService = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', mockCredentials.service.header())
      .send({ config: {}, resourceVersion: '7' });
    expect(asService.status).toBe(403);
    expect(service.updateConfig).not.toHaveBeenCalled();
    expect(events[0].fail).toHaveBeenCalled();
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const { server, service } = await app();
    const res = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: [1] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('config.max_connections');
    expect(res.body.error.message).toContain('resourceVersion');
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('applies an allowed edit, answers 202 and audits it', async () => {
    const { server, service, auditor } = await app();
    const res = await request(server)
      .put(`${OURS}/config`)
      .set('Authorization', user)
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(res.status).toBe(202);
    expect(service.updateConfig).toHaveBeenCalledWith(
      { cluster: 'sandbox', namespace: 'shop', name: 'orders-db' },
      { max_connections: 200 },
      '7',
      USER,
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'config-update' }),
    );
  });

  describe('POST /instances', () => {
    const body = { name: 'new-db', owner: 'group:default/team-a' };

    it('creates with mysql.instance.create, answers 202 with the run, and audits it', async () => {
      const { server, provisioner, permissions, events } = await app();
      const res = await request(server)
        .post('/instances')
        .set('Authorization', user)
        .send(body);
      expect(res.status).toBe(202);
      expect(res.body.run).toEqual({
        id: 'run-1',
        created: ['Secret shop/orders-db'],
      });
      expect(provisioner.create).toHaveBeenCalledWith(
        body,
        expect.objectContaining({ actor: USER }),
      );
      const asked = permissions.authorize.mock.calls.map(
        ([requests]) => requests[0],
      );
      expect(asked[0]).toEqual({
        permission: expect.objectContaining({ name: 'mysql.instance.create' }),
      });
      // A repeated request on a recorded instance is a change to it.
      expect(asked[1]).toEqual(
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'mysql.instance.config.update',
          }),
          resourceRef: ours.entityRef,
        }),
      );
      expect(events[0].success).toHaveBeenCalled();
    });

    it('answers 403 without mysql.instance.create, creates nothing and audits the denial', async () => {
      const { server, provisioner, events } = await app({ allow: () => false });
      const res = await request(server)
        .post('/instances')
        .set('Authorization', user)
        .send(body);
      expect(res.status).toBe(403);
      expect(provisioner.create).not.toHaveBeenCalled();
      expect(events[0].fail).toHaveBeenCalled();
    });

    it('answers 400 naming every bad field of the body', async () => {
      const { server, provisioner } = await app();
      const res = await request(server)
        .post('/instances')
        .set('Authorization', user)
        .send({ name: 7, size: 'huge', extra: true });
      expect(res.status).toBe(400);
      for (const field of ['name', 'owner', 'size', 'body']) {
        expect(res.body.error.message).toContain(field);
      }
      expect(provisioner.create).not.toHaveBeenCalled();
    });

    it('plans on a dry run without creating', async () => {
      const { server, provisioner } = await app();
      const res = await request(server)
        .post('/instances?dryRun=true')
        .set('Authorization', user)
        .send(body);
      expect(res.status).toBe(200);
      expect(res.body.manifests).toBe('kind: Secret');
      expect(provisioner.create).not.toHaveBeenCalled();
    });
  });

  it('lets the user who made a run undo it, and asks anyone else for the permission', async () => {
    const { server, provisioner, permissions } = await app({
      allow: () => false,
    });
    const denied = await request(server)
      .delete(`${OURS}/runs/run-1`)
      .set('Authorization', user);
    expect(denied.status).toBe(403);
    expect(provisioner.undo).not.toHaveBeenCalled();

    provisioner.run.mockResolvedValue({ actor: USER });
    const own = await request(server)
      .delete(`${OURS}/runs/run-1`)
      .set('Authorization', user);
    expect(own.status).toBe(204);
    expect(provisioner.undo).toHaveBeenCalledWith(
      { cluster: 'sandbox', namespace: 'shop', name: 'orders-db' },
      'run-1',
      USER,
    );
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
  });

  describe('DELETE /instances/:cluster/:namespace/:name', () => {
    it.each([
      [{ keepData: true }, 'confirm: Required'],
      [
        { confirm: 'orders', keepData: true },
        'type the instance\'s name, "orders-db"',
      ],
      [{ confirm: 'orders-db' }, 'keepData: Required'],
      [{ confirm: 'orders-db', keepData: 'yes' }, 'keepData: Expected boolean'],
    ])('answers 400 to %j and deletes nothing', async (body, message) => {
      const { server, deleter, events } = await app();
      const res = await request(server)
        .delete(OURS)
        .set('Authorization', user)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
      expect(deleter.delete).not.toHaveBeenCalled();
      expect(events[0].fail).toHaveBeenCalled();
    });

    it('answers 202 to a delete with a final backup, and leaves the delete to follow it', async () => {
      const { server, deleter, deletions, backups } = await app();
      deletions.request.mockRejectedValueOnce(
        new ConflictError(
          'finalBackup: sandbox/shop/orders-db has no Ready server to back up',
        ),
      );
      const body = { confirm: 'orders-db', keepData: true, finalBackup: true };
      const refused = await request(server)
        .delete(OURS)
        .set('Authorization', user)
        .send(body);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('no Ready server');

      const accepted = await request(server)
        .delete(OURS)
        .set('Authorization', user)
        .send(body);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({
        deleted: [],
        kept: [],
        pending: {
          backup: 'final',
          message: 'deleting once the final backup final has completed',
        },
      });
      expect(deletions.request).toHaveBeenLastCalledWith(ours, {
        keepData: true,
        actor: USER,
      });
      expect(deleter.delete).not.toHaveBeenCalled();
      expect(backups.forget).not.toHaveBeenCalled();
    });

    it('deletes with mysql.instance.delete on the recorded entity, and audits it', async () => {
      const { server, deleter, permissions, auditor } = await app();
      const res = await request(server)
        .delete(OURS)
        .set('Authorization', user)
        .send({ confirm: 'orders-db', keepData: false });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        deleted: ['StatefulSet shop/orders-db'],
        kept: [],
      });
      expect(deleter.delete).toHaveBeenCalledWith(ours, {
        keepData: false,
        actor: USER,
      });
      expect(permissions.authorize).toHaveBeenCalledWith(
        [
          expect.objectContaining({
            permission: expect.objectContaining({
              name: 'mysql.instance.delete',
            }),
            resourceRef: ours.entityRef,
          }),
        ],
        expect.anything(),
      );
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'instance-delete',
          meta: expect.objectContaining({ keepData: false }),
        }),
      );
    });

    it('answers 403 to a user without mysql.instance.delete, before reading the body', async () => {
      const { server, deleter } = await app({
        allow: permission => permission !== 'mysql.instance.delete',
      });
      const res = await request(server)
        .delete(OURS)
        .set('Authorization', user)
        .send({});
      expect(res.status).toBe(403);
      expect(deleter.delete).not.toHaveBeenCalled();
    });
  });
});
