import {
  AuthService,
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ANNOTATION_LOCATION } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { instanceLocation } from '@mysql-portal/plugin-mysql-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  CreateMysqlInstanceRequest,
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlInstanceDeletePermission,
  parseInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { BackupRunner } from '../backups/BackupRunner';
import { Restorer } from '../backups/Restorer';
import { Deleter } from '../provision/Deleter';
import { Deletions } from '../provision/Deletions';
import { Upgrader } from '../upgrade/Upgrader';
import { actorOf, viaOf } from '../actions/via';
import { Provisioner } from '../provision/Provisioner';
import { InstanceRecord } from './InstanceRecords';
import { InstanceService } from './InstanceService';
import { InstanceFleet } from '../fleet/InstanceFleet';
import { parseListQuery } from '../fleet/listQuery';

const updateBody = z.object({
  config: z.record(z.union([z.string(), z.number(), z.boolean()])),
  resourceVersion: z.string().min(1),
});

const deleteBody = z
  .object({
    confirm: z.string(),
    keepData: z.boolean(),
    finalBackup: z.boolean().optional(),
  })
  .strict();

const policyBody = z
  .object({
    target: z.enum(['pvc', 's3']).optional(),
    schedule: z.string().optional(),
    retention: z.number().int().optional(),
  })
  .strict();

const versionBody = z
  .object({ image: z.string().min(1), resourceVersion: z.string().min(1) })
  .strict();

const quantities = z
  .object({ cpu: z.string().optional(), memory: z.string().optional() })
  .strict()
  .optional();

const createBody = z
  .object({
    name: z.string(),
    owner: z.string(),
    cluster: z.string().optional(),
    namespace: z.string().optional(),
    version: z.string().optional(),
    size: z.enum(['small', 'medium', 'large']).optional(),
    storageSize: z.string().optional(),
    storageClass: z.string().optional(),
    resources: z
      .object({ requests: quantities, limits: quantities })
      .strict()
      .optional(),
    databaseName: z.string().optional(),
    username: z.string().optional(),
    config: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
    adoptExistingData: z.boolean().optional(),
    restoreFrom: z
      .object({ instance: z.string(), backup: z.string() })
      .strict()
      .optional(),
    backup: policyBody.optional(),
  })
  .strict();

/** What the router needs. */
export interface RouterOptions {
  service: InstanceService;
  /** `GET /instances`: filters, pages, last backups and attention. */
  fleet: InstanceFleet;
  provisioner: Provisioner;
  deleter: Deleter;
  /** Deletes that wait for a final backup. */
  deletions: Deletions;
  backups: BackupRunner;
  restorer: Restorer;
  upgrader: Upgrader;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}

function refOf(req: Request) {
  const { cluster, namespace, name } = req.params;
  return { cluster, namespace, name };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new InputError(
      `Invalid request body: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * The REST API under /api/mysql (documented in src/schema/openapi.yaml).
 * Reads allow users and services, and show a user only the instances whose
 * entity they may read. Writes need a user: creating one needs
 * `mysql.instance.create`, changing one `mysql.instance.config.update` on
 * the entity the backend recorded for that exact instance, deleting it
 * `mysql.instance.delete`. Every write is
 * audited, denied ones included. A write one of the plugin's actions made
 * for a user names the action in the history (actions/via.ts).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    service,
    fleet,
    provisioner,
    deleter,
    deletions,
    backups,
    restorer,
    upgrader,
    httpAuth,
    permissions,
    auditor,
    catalog,
    auth,
  } = options;
  const router = Router();
  router.use(express.json());

  async function authorize(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission<'catalog-entity'>,
    record?: InstanceRecord,
  ) {
    const [decision] = await permissions.authorize(
      [
        record
          ? {
              permission: permission as ResourcePermission<'catalog-entity'>,
              resourceRef: record.entityRef,
            }
          : { permission: permission as BasicPermission },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      if (record && !(await entityOf(record))) {
        throw new ServiceUnavailableError(
          `${record.entityRef}, the entity of ${record.ref}, is not in the catalog yet; it appears within seconds of the instance, so try again shortly`,
        );
      }
      throw new NotAllowedError(
        record
          ? `you may not change ${record.ref}: ${permission.name} on ${record.entityRef} is not granted to you`
          : `you may not do this: ${permission.name} is not granted to you`,
      );
    }
    if (record) await checkEntityIsOurs(record);
  }

  /**
   * The decision was made on the catalog's entity; it counts only if that
   * entity is the one our provider made, with the recorded owner, and not
   * one someone registered under the same name.
   */
  async function entityOf(record: InstanceRecord) {
    return catalog.getEntityByRef(record.entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
  }

  async function checkEntityIsOurs(record: InstanceRecord) {
    const entity = await entityOf(record);
    if (
      entity?.metadata.annotations?.[ANNOTATION_LOCATION] !==
        instanceLocation(record.ref) ||
      entity.spec?.owner !== record.owner
    ) {
      throw new NotAllowedError(
        `${record.entityRef} in the catalog is not the entity of ${record.ref} (owner ${record.owner}); an administrator must remove the entity that holds its name`,
      );
    }
  }

  /** Which of these records a user may read: their entity is readable, or they created it. */
  async function readable(
    credentials: BackstageCredentials,
    records: InstanceRecord[],
  ): Promise<Set<string>> {
    const principal = credentials.principal as Partial<BackstageUserPrincipal>;
    if (principal.type !== 'user') return new Set(records.map(r => r.ref));
    const user = principal.userEntityRef;
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: records.map(r => r.entityRef), fields: ['metadata.name'] },
      { credentials },
    );
    return new Set(
      records
        .filter((r, i) => items[i] || r.createdBy === user)
        .map(r => r.ref),
    );
  }

  /** The instance a `restoreFrom.instance` names, or a 400 saying why not. */
  async function sourceOf(instance: string) {
    let ref;
    try {
      ref = parseInstanceRef(instance);
    } catch (error) {
      throw new InputError(`restoreFrom.instance: ${(error as Error).message}`);
    }
    return service.record(ref).catch(() => {
      throw new InputError(
        `restoreFrom.instance: there is no MySQL instance ${instance}`,
      );
    });
  }

  /** The record of `ref`, once `permission` on its entity is granted. */
  async function recordFor(
    credentials: BackstageCredentials,
    ref: ReturnType<typeof refOf>,
    permission: ResourcePermission<'catalog-entity'>,
  ) {
    const record = await service.record(ref);
    await authorize(credentials, permission, record);
    return record;
  }

  /** The record of the request's instance, or 404 unless the caller may read it. */
  async function readableRecord(req: Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const record = await service.record(refOf(req));
    if (!(await readable(credentials, [record])).has(record.ref)) {
      throw new NotFoundError(`no MySQL instance ${record.ref}`);
    }
    return record;
  }

  /** Runs a write with its audit event, so that a denied one is recorded too. */
  async function audited<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    work: (
      credentials: BackstageCredentials<BackstageUserPrincipal>,
    ) => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta,
    });
    // A write an agent made through one of our actions says so (actions/via.ts).
    let via: string | undefined;
    try {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      via = viaOf(req, credentials);
      const result = await work(credentials);
      await event.success(via ? { meta: { via } } : undefined);
      return result;
    } catch (error) {
      await event.fail({
        error: error as Error,
        ...(via && { meta: { via } }),
      });
      throw error;
    }
  }

  router.get('/instances', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = parseListQuery(req.query);
    const records = service.listRecords();
    const allowed = await readable(credentials, records);
    // Filters and pages apply to what this caller may read, and only to that.
    res.json(
      await fleet.list(
        records.filter(r => allowed.has(r.ref)),
        query,
      ),
    );
  });

  router.get('/instances/:cluster/:namespace/:name', async (req, res) => {
    await readableRecord(req);
    res.json(await service.detail(refOf(req)));
  });

  router.post('/instances', async (req, res) => {
    const dryRun = req.query.dryRun === 'true';
    const meta: JsonObject = { dryRun };
    for (const key of ['name', 'owner', 'cluster', 'namespace']) {
      if (typeof req.body?.[key] === 'string') meta[key] = req.body[key];
    }
    const answer = await audited(
      req,
      'instance-create',
      meta,
      async credentials => {
        await authorize(credentials, mysqlInstanceCreatePermission);
        const {
          restoreFrom,
          backup: policy,
          ...body
        } = parse(createBody, req.body) as CreateMysqlInstanceRequest;
        const source = restoreFrom && (await sourceOf(restoreFrom.instance));
        const restore = source && {
          sourceImage: restorer.sourceImage(source),
        };
        const plan = provisioner.plan(body, restore);
        if (policy) backups.checkPolicy(policy, plan.cluster, 'backup');
        if (restoreFrom && source) {
          if (body.adoptExistingData) {
            throw new InputError(
              'restoreFrom: a new instance starts either from a backup or from existing data (adoptExistingData), not both',
            );
          }
          await authorize(
            credentials,
            mysqlInstanceConfigUpdatePermission,
            source,
          ).catch(error => {
            throw error instanceof NotAllowedError
              ? new NotAllowedError(
                  `restoreFrom: only those who may change ${
                    source!.ref
                  } may restore its backups (${error.message})`,
                )
              : error;
          });
          await restorer.check(source, restoreFrom.backup, {
            ref: `${plan.cluster}/${plan.namespace}/${plan.name}`,
            cluster: plan.cluster,
            namespace: plan.namespace,
            image: plan.image,
          });
        }
        if (dryRun) return { status: 200, body: plan };
        const actor = credentials.principal.userEntityRef;
        const result = await provisioner.create(body, {
          actor,
          restore,
          authorizeRerun: record =>
            authorize(credentials, mysqlInstanceConfigUpdatePermission, record),
        });
        const record = await service.record(result.ref);
        if (policy) await backups.setPolicy(record, policy, actor, 'backup');
        if (restoreFrom) await restorer.request(record, restoreFrom, actor);
        await service.seen(result.ref);
        const detail = await service.detail(result.ref);
        return { status: 202, body: { ...detail, run: result.run } };
      },
    );
    res.status(answer.status).json(answer.body);
  });

  router.put(
    '/instances/:cluster/:namespace/:name/config',
    async (req, res) => {
      const ref = refOf(req);
      const keys = Object.keys(req.body?.config ?? {});
      await audited(
        req,
        'config-update',
        { instance: ref, keys },
        async credentials => {
          await recordFor(
            credentials,
            ref,
            mysqlInstanceConfigUpdatePermission,
          );
          const body = parse(updateBody, req.body);
          return service.updateConfig(
            ref,
            body.config,
            body.resourceVersion,
            actorOf(req, credentials),
          );
        },
      );
      res.status(202).json(await service.detail(ref));
    },
  );

  router.put(
    '/instances/:cluster/:namespace/:name/version',
    async (req, res) => {
      const ref = refOf(req);
      const meta: JsonObject = { instance: ref };
      if (typeof req.body?.image === 'string') meta.image = req.body.image;
      await audited(req, 'version-update', meta, async credentials => {
        const record = await recordFor(
          credentials,
          ref,
          mysqlInstanceConfigUpdatePermission,
        );
        const body = parse(versionBody, req.body);
        await upgrader.request(
          record,
          body.image,
          body.resourceVersion,
          credentials.principal.userEntityRef,
        );
      });
      res.status(202).json(await service.detail(ref));
    },
  );

  router.post(
    '/instances/:cluster/:namespace/:name/restart',
    async (req, res) => {
      const ref = refOf(req);
      await audited(req, 'restart', { instance: ref }, async credentials => {
        await recordFor(credentials, ref, mysqlInstanceConfigUpdatePermission);
        await service.restart(ref, actorOf(req, credentials));
      });
      res.status(202).json(await service.detail(ref));
    },
  );

  router.delete('/instances/:cluster/:namespace/:name', async (req, res) => {
    const ref = refOf(req);
    const meta: JsonObject = { instance: ref };
    if (typeof req.body?.keepData === 'boolean')
      meta.keepData = req.body.keepData;
    const result = await audited(
      req,
      'instance-delete',
      meta,
      async credentials => {
        const record = await recordFor(
          credentials,
          ref,
          mysqlInstanceDeletePermission,
        );
        const body = parse(deleteBody, req.body);
        if (body.confirm !== ref.name) {
          throw new InputError(
            `confirm: type the instance's name, "${ref.name}", to delete it; nothing was deleted`,
          );
        }
        if (body.finalBackup) {
          return deletions.request(record, {
            keepData: body.keepData,
            actor: credentials.principal.userEntityRef,
          });
        }
        const deleted = await deleter.delete(record, {
          keepData: body.keepData,
          actor: credentials.principal.userEntityRef,
        });
        await backups.forget(record.ref);
        return deleted;
      },
    );
    res.status(result.pending ? 202 : 200).json(result);
  });

  router.get(
    '/instances/:cluster/:namespace/:name/backups',
    async (req, res) => {
      const record = await readableRecord(req);
      res.json(await backups.list(record));
    },
  );

  router.post(
    '/instances/:cluster/:namespace/:name/backups',
    async (req, res) => {
      const ref = refOf(req);
      const backup = await audited(
        req,
        'backup-create',
        { instance: ref },
        async credentials => {
          const record = await recordFor(
            credentials,
            ref,
            mysqlInstanceBackupCreatePermission,
          );
          return backups.start(record, {
            trigger: 'manual',
            actor: actorOf(req, credentials),
          });
        },
      );
      res.status(202).json({ id: backup.id, status: backup.status });
    },
  );

  router.put(
    '/instances/:cluster/:namespace/:name/backups/policy',
    async (req, res) => {
      const ref = refOf(req);
      const policy = await audited(
        req,
        'backup-policy-update',
        { instance: ref },
        async credentials => {
          const record = await recordFor(
            credentials,
            ref,
            mysqlInstanceConfigUpdatePermission,
          );
          return backups.setPolicy(
            record,
            parse(policyBody, req.body),
            credentials.principal.userEntityRef,
          );
        },
      );
      res.json(policy);
    },
  );

  router.delete(
    '/instances/:cluster/:namespace/:name/runs/:runId',
    async (req, res) => {
      const ref = refOf(req);
      const { runId } = req.params;
      await audited(
        req,
        'instance-create-undo',
        { instance: ref, runId },
        async credentials => {
          const user = credentials.principal.userEntityRef;
          const run = await provisioner.run(ref, runId);
          if (run.actor !== user) {
            await recordFor(
              credentials,
              ref,
              mysqlInstanceConfigUpdatePermission,
            );
          }
          await provisioner.undo(ref, runId, user);
        },
      );
      res.status(204).end();
    },
  );

  return router;
}
