import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import {
  CreateMysqlInstanceRequest,
  formatInstanceRef,
  MysqlInstanceRef,
  MysqlInstanceSize,
} from '@mysql-portal/plugin-mysql-common';
import { explainBackendError } from './explainBackendError';
import { MysqlApi } from './mysqlApi';
import { examples } from './mysqlProvision.examples';
import { waitForReady } from './waitForReady';

const QUANTITY_PATTERN = '^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$';
const DEFAULT_READY_TIMEOUT_SECONDS = 300;
const DEFAULT_POLL_INTERVAL_MS = 2000;

/**
 * What a create run leaves for the rest of the task, kept by the
 * checkpoint: where the instance is, and the run to undo when it never
 * becomes ready.
 */
type ProvisionedInstance = {
  cluster: string;
  namespace: string;
  name: string;
  entityRef: string;
  runId?: string;
};

/** What mysql:provision says about the backend's error answers. */
function explain(error: unknown, subject: string): Error {
  return explainBackendError(error, {
    subject,
    refused: reason => `The mysql backend refused the request: ${reason}`,
    forbidden: reason =>
      `You may not create ${subject}: the mysql backend needs the permission mysql.instance.create for the user who runs the template, and a rerun cannot take over someone else's instance (${reason})`,
    notFound: reason =>
      `The mysql backend does not know ${subject} (${reason})`,
    conflict: reason => `Cannot create ${subject}: ${reason}`,
  });
}

/** An empty form field means "the default", which the backend applies. */
function withoutEmptyFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>;
}

function checkTimeout(given: number | undefined, configured: number): number {
  const timeoutSeconds = given ?? configured;
  if (
    !Number.isInteger(timeoutSeconds) ||
    timeoutSeconds < 10 ||
    timeoutSeconds > 3600
  ) {
    const source =
      given === undefined
        ? ' (the default from mysql.provision.readyTimeoutSeconds)'
        : '';
    throw new InputError(
      `Invalid input for mysql:provision:\n- timeoutSeconds: ${timeoutSeconds}${source} must be a whole number of seconds from 10 to 3600`,
    );
  }
  return timeoutSeconds;
}

/**
 * Creates the `mysql:provision` action: asks the mysql backend
 * (`POST /api/mysql/instances`), on behalf of the user who runs the
 * template, for a standalone MySQL on a configured cluster, then follows it
 * until it runs. The backend checks `mysql.instance.create`, validates,
 * creates the objects, records and audits the instance; the catalog then
 * shows it. `readyTimeoutSeconds` is the default of `timeoutSeconds` (300);
 * `pollIntervalMs` (2000) is how often the backend is asked while waiting.
 *
 * @public
 */
export function createMysqlProvisionAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  readyTimeoutSeconds?: number;
  pollIntervalMs?: number;
}): TemplateAction<
  // Spelled out rather than inferred from the schema, so that report.api.md
  // does not depend on the order in which the compiler met zod's keys.
  {
    name: string;
    owner: string;
    cluster?: string;
    namespace?: string;
    version?: string;
    size?: MysqlInstanceSize;
    storageSize?: string;
    storageClass?: string;
    resources?: {
      requests?: { cpu?: string; memory?: string };
      limits?: { cpu?: string; memory?: string };
    };
    databaseName?: string;
    username?: string;
    config?: Record<string, string | number | boolean>;
    adoptExistingData?: boolean;
    waitForReady?: boolean;
    timeoutSeconds?: number;
  },
  {
    entityRef: string;
    cluster: string;
    namespace: string;
    host: string;
    port: number;
    secretName: string;
    manifests?: string;
  },
  'v2'
> {
  const { auth, discovery } = options;
  const readyTimeoutSeconds =
    options.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;

  return createTemplateAction({
    id: 'mysql:provision',
    description:
      'Creates a standalone MySQL on a Kubernetes (microk8s) cluster through the mysql backend, on behalf of the user who runs the template: generated passwords in a Secret, my.cnf in a ConfigMap, Services and a one-replica StatefulSet.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string({
              description:
                'Instance name: a DNS-1123 label of at most 40 characters, unique across clusters',
            })
            .max(40)
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
        owner: z =>
          z
            .string({
              description: 'Entity ref of the owner, e.g. group:default/team-a',
            })
            .min(1),
        cluster: z =>
          z
            .string({ description: 'One of mysql.clusters; default the first' })
            .optional(),
        namespace: z =>
          z
            .string({
              description: "Namespace; default the cluster's defaultNamespace",
            })
            .optional(),
        version: z =>
          z
            .string({
              description:
                'Image, one of mysql.images; default the first (mysql:8.4)',
            })
            .optional(),
        size: z =>
          z
            .enum(['small', 'medium', 'large'], {
              description:
                'Sets the defaults of storageSize and resources, which override it',
            })
            .optional(),
        storageSize: z =>
          z
            .string({ description: 'Data volume size; default 10Gi' })
            .regex(new RegExp(QUANTITY_PATTERN))
            .optional(),
        storageClass: z =>
          z
            .string({ description: 'StorageClass; default microk8s-hostpath' })
            .optional(),
        resources: z =>
          z
            .object(
              {
                requests: z
                  .object({
                    cpu: z.string().optional(),
                    memory: z.string().optional(),
                  })
                  .optional(),
                limits: z
                  .object({
                    cpu: z.string().optional(),
                    memory: z.string().optional(),
                  })
                  .optional(),
              },
              { description: 'CPU and memory requests and limits' },
            )
            .optional(),
        databaseName: z =>
          z
            .string({
              description: 'Database to create; default the name with - as _',
            })
            .optional(),
        username: z =>
          z.string({ description: 'Application user; default app' }).optional(),
        config: z =>
          z
            .record(z.union([z.string(), z.number(), z.boolean()]), {
              description: 'Server variables from the MySQL variable catalogue',
            })
            .optional(),
        adoptExistingData: z =>
          z
            .boolean({
              description:
                'Use the data volume an earlier instance of this name left behind; its data keeps its own passwords, so its Secret must still hold them',
            })
            .optional(),
        waitForReady: z =>
          z
            .boolean({
              description: 'Wait until the server is ready; default true',
            })
            .optional(),
        timeoutSeconds: z =>
          z
            .number({
              description:
                'How long to wait for ready, 10 to 3600; default from config (300)',
            })
            .optional(),
      },
      output: {
        entityRef: z =>
          z.string({ description: 'Catalog entity of the database' }),
        cluster: z => z.string(),
        namespace: z => z.string(),
        host: z =>
          z.string({
            description: 'In-cluster host name of the ClusterIP Service',
          }),
        port: z => z.number(),
        secretName: z =>
          z.string({ description: 'Secret with the generated passwords' }),
        manifests: z =>
          z
            .string({ description: 'Dry run only: the objects as YAML' })
            .optional(),
      },
    },
    async handler(ctx) {
      const {
        waitForReady: wait = true,
        timeoutSeconds: givenTimeout,
        ...fields
      } = ctx.input;
      const timeoutSeconds = checkTimeout(givenTimeout, readyTimeoutSeconds);
      const request: CreateMysqlInstanceRequest = {
        name: fields.name,
        owner: fields.owner,
        ...withoutEmptyFields(fields),
      };
      const api = new MysqlApi(
        discovery,
        auth,
        await ctx.getInitiatorCredentials(),
      );

      const outputs = (instance: Omit<ProvisionedInstance, 'runId'>) => {
        const { name, namespace } = instance;
        ctx.output('entityRef', instance.entityRef);
        ctx.output('cluster', instance.cluster);
        ctx.output('namespace', namespace);
        ctx.output('host', `${name}.${namespace}.svc.cluster.local`);
        ctx.output('port', 3306);
        ctx.output('secretName', name);
      };

      if (ctx.isDryRun) {
        const plan = await api.planInstance(request).catch(error => {
          throw explain(error, request.name);
        });
        ctx.logger.info(
          `MySQL ${formatInstanceRef(plan)}: ${plan.image}, owner ${
            plan.owner
          }`,
        );
        ctx.output('manifests', plan.manifests);
        outputs(plan);
        ctx.logger.info('Dry run: nothing was created');
        return;
      }

      let created: string[] = [];
      const instance = await ctx.checkpoint({
        key: `mysql.provision.${request.name}`,
        fn: async (): Promise<ProvisionedInstance> => {
          const answer = await api.createInstance(request).catch(error => {
            throw explain(error, request.name);
          });
          const instanceRef = formatInstanceRef(answer);
          ctx.logger.info(
            `MySQL ${instanceRef}: ${answer.version.image}, owner ${answer.owner}`,
          );
          created = answer.run?.created ?? [];
          for (const object of created) ctx.logger.info(`created ${object}`);
          if (created.length === 0) {
            ctx.logger.info(`${instanceRef} already exists; nothing to change`);
          }
          const { cluster, namespace, name, entityRef } = answer;
          return answer.run
            ? { cluster, namespace, name, entityRef, runId: answer.run.id }
            : { cluster, namespace, name, entityRef };
        },
      });

      if (wait) {
        const ref: MysqlInstanceRef = instance;
        const instanceRef = formatInstanceRef(ref);
        ctx.logger.info(
          `waiting up to ${timeoutSeconds}s for ${instanceRef} to be ready`,
        );
        try {
          await waitForReady({
            getInstance: r => api.getInstance(r),
            ref,
            timeoutSeconds,
            pollIntervalMs,
            logger: ctx.logger,
            signal: ctx.signal,
            explain: error => explain(error, instanceRef),
          });
        } catch (error) {
          if (instance.runId) {
            const what =
              created.length > 0 ? created.join(', ') : `run ${instance.runId}`;
            try {
              await api.undoProvisionRun(ref, instance.runId);
              ctx.logger.warn(
                `provisioning failed; removed what this run created: ${what}`,
              );
            } catch (undoError) {
              ctx.logger.error(
                `provisioning failed, and removing what this run created (${what}) failed too: ${
                  explain(undoError, instanceRef).message
                }`,
              );
            }
          }
          throw error;
        }
      }
      outputs(instance);
    },
  });
}
