import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mysqlInstanceConfigUpdatePermission } from '@internal/plugin-mysql-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { InstanceService } from './InstanceService';

const updateBody = z.object({
  config: z.record(z.union([z.string(), z.number(), z.boolean()])),
  resourceVersion: z.string().min(1),
});

/** What the router needs. */
export interface RouterOptions {
  service: InstanceService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
}

function refOf(req: Request) {
  const { cluster, namespace, name } = req.params;
  return { cluster, namespace, name };
}

/**
 * The REST API under /api/mysql (documented in src/schema/openapi.yaml).
 * Reads allow users and services; writes need a user allowed
 * `mysql.instance.config.update` on the instance's catalog entity.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json());

  async function authorizeWrite(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref = refOf(req);
    const [decision] = await permissions.authorize(
      [
        {
          permission: mysqlInstanceConfigUpdatePermission,
          resourceRef: `resource:default/${ref.name}`,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `you may not change the configuration of ${ref.name}`,
      );
    }
    return credentials.principal.userEntityRef;
  }

  router.get('/instances', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await service.list() });
  });

  router.get('/instances/:cluster/:namespace/:name', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await service.detail(refOf(req)));
  });

  router.put(
    '/instances/:cluster/:namespace/:name/config',
    async (req, res) => {
      const actor = await authorizeWrite(req);
      const parsed = updateBody.safeParse(req.body);
      if (!parsed.success) {
        throw new InputError(
          `Invalid request body: ${parsed.error.issues
            .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
            .join('; ')}`,
        );
      }
      const ref = refOf(req);
      const event = await auditor.createEvent({
        eventId: 'config-update',
        severityLevel: 'medium',
        request: req,
        meta: { instance: ref, keys: Object.keys(parsed.data.config) },
      });
      try {
        const { changes } = await service.updateConfig(
          ref,
          parsed.data.config,
          parsed.data.resourceVersion,
          actor,
        );
        await event.success({ meta: { changes } });
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
      res.status(202).json(await service.detail(ref));
    },
  );

  router.post(
    '/instances/:cluster/:namespace/:name/restart',
    async (req, res) => {
      const actor = await authorizeWrite(req);
      const ref = refOf(req);
      const event = await auditor.createEvent({
        eventId: 'restart',
        severityLevel: 'medium',
        request: req,
        meta: { instance: ref },
      });
      try {
        await service.restart(ref, actor);
        await event.success();
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
      res.status(202).json(await service.detail(ref));
    },
  );

  return router;
}
