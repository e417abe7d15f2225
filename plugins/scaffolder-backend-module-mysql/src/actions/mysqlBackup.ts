import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import {
  MysqlBackup,
  MysqlBackupStatus,
} from '@mysql-portal/plugin-mysql-common';
import { explainBackendError } from './explainBackendError';
import { MysqlApi } from './mysqlApi';
import { examples } from './mysqlBackup.examples';
import { resolveInstance } from './resolveInstance';
import { waitForBackup } from './waitForBackup';

const DEFAULT_TIMEOUT_SECONDS = 1800;
const MAX_TIMEOUT_SECONDS = 86_400;
const DEFAULT_POLL_INTERVAL_MS = 2000;

/** What the checkpoint keeps: the backup this task started. */
type StartedBackup = { id: string };

/** What mysql:backup says about the backend's error answers. */
function explain(
  error: unknown,
  entityRef: string,
  instanceRef: string,
): Error {
  return explainBackendError(error, {
    subject: entityRef,
    refused: reason =>
      `The mysql backend refused to back up ${entityRef}: ${reason}`,
    forbidden: reason =>
      `You may not back up ${entityRef}: the mysql backend needs the permission mysql.instance.backup.create on it for the user who runs the template (${reason})`,
    notFound: reason =>
      `The mysql backend does not know ${instanceRef}, the instance of ${entityRef} (${reason})`,
    conflict: reason =>
      `Cannot back up ${entityRef} now: ${reason}. Nothing was started; run the template again once that has changed.`,
  });
}

function checkTimeout(timeoutSeconds: number): number {
  if (
    !Number.isInteger(timeoutSeconds) ||
    timeoutSeconds < 10 ||
    timeoutSeconds > MAX_TIMEOUT_SECONDS
  ) {
    throw new InputError(
      `Invalid input for mysql:backup:\n- timeoutSeconds: ${timeoutSeconds} must be a whole number of seconds from 10 to ${MAX_TIMEOUT_SECONDS}`,
    );
  }
  return timeoutSeconds;
}

function describeBackup(backup: MysqlBackup): string {
  const size =
    backup.sizeBytes === undefined ? '' : `, ${backup.sizeBytes} bytes`;
  return `${backup.location}${size}`;
}

/**
 * Creates the `mysql:backup` action: backs up a database of the catalog
 * now (`POST /api/mysql/instances/.../backups`), through the mysql backend
 * and on behalf of the user who runs the template, so the same permission
 * (`mysql.instance.backup.create`) applies as for the card's button. By
 * default it waits until the backup ends and fails the task when the
 * backup failed. A task that resumes follows the backup it started instead
 * of starting another. `pollIntervalMs` (2000) is how often the backend is
 * asked while waiting.
 *
 * @public
 */
export function createMysqlBackupAction(options: {
  catalog: CatalogService;
  auth: AuthService;
  discovery: DiscoveryService;
  pollIntervalMs?: number;
}): TemplateAction<
  // Spelled out rather than inferred from the schema: the compiler prints
  // inferred zod object types with their keys in whatever order it met them,
  // which would make report.api.md change from one build to the next.
  {
    entityRef: string;
    wait?: boolean;
    timeoutSeconds?: number;
  },
  {
    backupId: string;
    status: MysqlBackupStatus;
    location: string;
    sizeBytes?: number;
  },
  'v2'
> {
  const { catalog, auth, discovery } = options;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;

  return createTemplateAction({
    id: 'mysql:backup',
    description:
      "Backs up a MySQL database in the catalog now, with the server's own dump tool, to the instance's backup target (a volume or S3), and by default waits until the backup ends.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string({
              description:
                'The database entity, e.g. resource:default/orders-db',
            })
            .min(1),
        wait: z =>
          z
            .boolean({
              description:
                'Wait until the backup ends, and fail when it failed; default true',
            })
            .optional(),
        timeoutSeconds: z =>
          z
            .number({
              description: `How long to wait, 10 to ${MAX_TIMEOUT_SECONDS}; default ${DEFAULT_TIMEOUT_SECONDS}. The backup goes on when the wait ends.`,
            })
            .optional(),
      },
      output: {
        backupId: z => z.string({ description: 'The id of the backup' }),
        status: z =>
          z.enum(['Running', 'Completed', 'Failed'], {
            description:
              'Completed, or Running when the action did not wait for it',
          }),
        location: z =>
          z.string({
            description:
              'Where the dump is: pvc://<claim>/<file> or s3://<bucket>/<key>',
          }),
        sizeBytes: z =>
          z
            .number({ description: 'Size of the dump, once completed' })
            .optional(),
      },
    },
    async handler(ctx) {
      const { wait = true } = ctx.input;
      const timeoutSeconds = checkTimeout(
        ctx.input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      );
      const credentials = await ctx.getInitiatorCredentials();
      const { entityRef, ref, instanceRef } = await resolveInstance({
        actionId: 'mysql:backup',
        entityRef: ctx.input.entityRef,
        catalog,
        credentials,
      });
      const api = new MysqlApi(discovery, auth, credentials);
      const backend = async <T>(send: () => Promise<T>): Promise<T> => {
        try {
          return await send();
        } catch (error) {
          throw explain(error, entityRef, instanceRef);
        }
      };
      ctx.logger.info(`${entityRef} is MySQL ${instanceRef}`);

      if (ctx.isDryRun) {
        const detail = await backend(() => api.getInstance(ref));
        const { items, policy } = await backend(() => api.listBackups(ref));
        ctx.logger.info(
          `its backups go to ${policy.target} (schedule ${policy.schedule} UTC, keeping ${policy.retention})`,
        );
        const { phase, message } = detail.status;
        if (phase !== 'Running') {
          ctx.logger.warn(
            `${instanceRef} is ${phase}${
              message ? ` (${message})` : ''
            }: the backend backs up only a Ready server, so a real run may be refused`,
          );
        }
        const running = items.find(b => b.status === 'Running');
        if (running) {
          ctx.logger.warn(
            `backup ${running.id} of ${entityRef} is still running (since ${running.startedAt}); a real run is refused until it ends`,
          );
        }
        ctx.logger.info(
          `Dry run: nothing was started. A real run starts a backup of ${entityRef}${
            wait ? ` and waits up to ${timeoutSeconds}s for it to end` : ''
          }; whether you may back it up (mysql.instance.backup.create) is checked then.`,
        );
        return;
      }

      let startedNow = false;
      const { id } = await ctx.checkpoint({
        key: `mysql.backup.${instanceRef}`,
        fn: async (): Promise<StartedBackup> => {
          const answer = await backend(() => api.createBackup(ref));
          startedNow = true;
          return { id: answer.id };
        },
      });
      const subject = `backup ${id} of ${entityRef}`;
      ctx.logger.info(
        startedNow
          ? `started ${subject}`
          : `${subject} was started by an earlier attempt of this task; following it instead of starting another`,
      );

      const getBackup = async (): Promise<MysqlBackup> => {
        const { items } = await backend(() => api.listBackups(ref));
        const backup = items.find(b => b.id === id);
        if (!backup) {
          throw new Error(
            `${subject} is not among the backups of ${instanceRef} that the mysql backend lists`,
          );
        }
        return backup;
      };

      let backup = await getBackup();
      if (wait && backup.status === 'Running') {
        ctx.logger.info(`waiting up to ${timeoutSeconds}s for ${subject}`);
        backup = await waitForBackup({
          getBackup,
          subject,
          timeoutSeconds,
          pollIntervalMs,
          logger: ctx.logger,
          signal: ctx.signal,
        });
      }
      if (backup.status === 'Failed') {
        throw new Error(
          `${subject} failed: ${
            backup.message ?? 'the mysql backend gives no reason'
          }`,
        );
      }
      ctx.logger.info(
        backup.status === 'Completed'
          ? `${subject} completed: ${describeBackup(backup)}`
          : `${subject} is running; not waiting for it (the entity page shows how it ends)`,
      );

      ctx.output('backupId', backup.id);
      ctx.output('status', backup.status);
      ctx.output('location', backup.location);
      if (backup.sizeBytes !== undefined) {
        ctx.output('sizeBytes', backup.sizeBytes);
      }
    },
  });
}
