import {
  ActionsRegistryActionOptions,
  ActionsRegistryService,
} from '@backstage/backend-plugin-api/alpha';
import {
  MYSQL_INSTANCE_PHASES,
  MysqlInstanceRef,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import { callMysqlApi, MysqlActionsOptions } from './callMysqlApi';

/**
 * The zod the actions registry hands to schema callbacks, from the
 * registry's own types: @backstage/backend-plugin-api has a zod of its own,
 * and comparing it with ours exhausts tsc. The schema helpers below are not
 * exported for the same reason (their types name that zod).
 */
type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

/** The input that names one instance, as `list-instances` lists it. */
const instanceInput = (z: Zod) =>
  z.object({
    cluster: z
      .string()
      .min(1)
      .describe('The cluster of the instance, as list-instances names it'),
    namespace: z
      .string()
      .min(1)
      .describe('The Kubernetes namespace of the instance'),
    name: z.string().min(1).describe('The name of the instance'),
  });

/** What every action says about an instance. */
const summaryFields = (z: Zod) => ({
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  entityRef: z
    .string()
    .describe(
      'The catalog entity of the instance, e.g. resource:default/orders-db',
    ),
  owner: z.string().describe('The owner of the entity'),
  phase: z
    .enum(MYSQL_INSTANCE_PHASES)
    .describe('What the instance is doing, as the backend last saw it'),
  message: z
    .string()
    .optional()
    .describe(
      'Why the instance is in this phase, when there is something to say',
    ),
  image: z.string().describe('The declared server image, e.g. mysql:8.4'),
  serverVersion: z
    .string()
    .optional()
    .describe(
      'The version the running server reports; absent until it has been polled',
    ),
});

/** The fields of {@link summaryFields}, from the REST API's answer. */
function summarize(instance: MysqlInstanceSummary) {
  return {
    cluster: instance.cluster,
    namespace: instance.namespace,
    name: instance.name,
    entityRef: instance.entityRef,
    owner: instance.owner,
    phase: instance.status.phase,
    message: instance.status.message,
    image: instance.version.image,
    serverVersion: instance.version.server,
  };
}

/** The instance an action's input names. */
function refOf(input: MysqlInstanceRef): MysqlInstanceRef {
  return {
    cluster: input.cluster,
    namespace: input.namespace,
    name: input.name,
  };
}

/** Registers `list-instances`: every instance the caller may read. */
function createListInstancesAction(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  options.actionsRegistry.register({
    name: 'list-instances',
    title: 'List MySQL instances',
    description: `Lists every MySQL instance of the portal that you may read, across all clusters:
where it runs (cluster, namespace, name), its catalog entity and owner, its phase
(Provisioning, Running, Reconciling, Degraded, Unreachable), the declared image and
the server version it really runs. Use cluster, namespace and name with the other
mysql actions.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({}),
      output: z =>
        z.object({
          instances: z.array(z.object(summaryFields(z))),
        }),
    },
    action: async ({ credentials }) => {
      const { items } = await callMysqlApi(
        options,
        credentials,
        'list-instances',
        (client, request) => client.listInstances(request),
      );
      return { output: { instances: items.map(summarize) } };
    },
  });
}

/** Registers `get-instance`: one instance with its configuration and history. */
function createGetInstanceAction(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  options.actionsRegistry.register({
    name: 'get-instance',
    title: 'Get a MySQL instance',
    description: `Shows one MySQL instance that you may read: its phase, declared image and running
server version, the server variables my.cnf sets (desired) and those the server runs
(applied), the variables still waiting to apply (pending), who changed what (history,
newest first) and how applications connect to it.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: instanceInput,
      output: z =>
        z.object({
          ...summaryFields(z),
          uptimeSeconds: z.number().optional(),
          lastPolledAt: z
            .string()
            .optional()
            .describe(
              'When the server was last asked for its version and variables',
            ),
          config: z.object({
            desired: z.record(z.string()).describe('The variables my.cnf sets'),
            applied: z
              .record(z.string())
              .describe('The values the running server reports'),
            pending: z
              .array(z.string())
              .describe('Variables whose desired value does not run yet'),
            restartRequired: z.boolean(),
            mode: z
              .enum(['restart', 'online'])
              .optional()
              .describe(
                'restart: every change restarts the server; online: changes of dynamic variables apply without one',
              ),
          }),
          resourceVersion: z
            .string()
            .describe(
              'The generation of the desired configuration (the MysqlInstance spec), for update-config',
            ),
          history: z.array(
            z.object({
              at: z.string(),
              kind: z.string(),
              actor: z.string().optional(),
              message: z.string(),
            }),
          ),
          connection: z.object({
            host: z.string(),
            port: z.number(),
            database: z.string().optional(),
            user: z.string().optional(),
            secretName: z
              .string()
              .describe('The Secret in the namespace that holds the password'),
            passwordKey: z.string(),
          }),
        }),
    },
    action: async ({ input, credentials }) => {
      const detail = await callMysqlApi(
        options,
        credentials,
        'get-instance',
        (client, request) => client.getInstance(refOf(input), request),
      );
      return {
        output: {
          ...summarize(detail),
          uptimeSeconds: detail.uptimeSeconds,
          lastPolledAt: detail.version.lastPolledAt,
          config: detail.config,
          resourceVersion: detail.resourceVersion,
          history: detail.history,
          connection: {
            host: detail.connection.host,
            port: detail.connection.port,
            database: detail.connection.database,
            user: detail.connection.user,
            secretName: detail.connection.secretName,
            passwordKey: detail.connection.passwordKey,
          },
        },
      };
    },
  });
}

/** The variables whose desired value differs between two configurations. */
export function configChanges(
  before: Record<string, string>,
  after: Record<string, string>,
): Array<{ name: string; from?: string; to?: string }> {
  const names = [
    ...new Set([...Object.keys(before), ...Object.keys(after)]),
  ].sort();
  return names
    .filter(name => before[name] !== after[name])
    .map(name => ({ name, from: before[name], to: after[name] }));
}

/**
 * Registers `update-config`: sets server variables, through the REST API's
 * PUT, which replaces the whole configuration; the action sends the
 * current one with the requested values on top.
 */
function createUpdateConfigAction(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  options.actionsRegistry.register({
    name: 'update-config',
    title: 'Change MySQL server variables',
    description: `Sets server variables (my.cnf) of a MySQL instance; variables not given keep their
values. Only the owners of the instance may do this. Every value is checked against
MySQL's variable catalogue and a refused one changes nothing. The backend then applies
the change: it restarts the server (or, in online mode, sets dynamic variables without
a restart) and rolls back a configuration the server does not start with.
Setting values the instance already has changes nothing.`,
    attributes: { readOnly: false, destructive: true, idempotent: true },
    schema: {
      input: z =>
        instanceInput(z).extend({
          config: z
            .record(z.union([z.string(), z.number(), z.boolean()]))
            .describe(
              'The variables to set, e.g. {"max_connections": 500, "innodb_buffer_pool_size": "512M"}',
            ),
          resourceVersion: z
            .string()
            .min(1)
            .optional()
            .describe(
              'The resourceVersion get-instance answered; with it the change is refused if the configuration changed since',
            ),
        }),
      output: z =>
        z.object({
          ...summaryFields(z),
          changes: z
            .array(
              z.object({
                name: z.string(),
                from: z
                  .string()
                  .optional()
                  .describe('Absent when my.cnf did not set it'),
                to: z.string().optional(),
              }),
            )
            .describe('The variables that changed; empty when nothing did'),
          pending: z
            .array(z.string())
            .describe('Variables whose new value does not run yet'),
        }),
    },
    action: async ({ input, credentials }) => {
      const ref = refOf(input);
      const before = await callMysqlApi(
        options,
        credentials,
        'update-config',
        (client, request) => client.getInstance(ref, request),
      );
      const after = await callMysqlApi(
        options,
        credentials,
        'update-config',
        (client, request) =>
          client.updateConfig(
            ref,
            {
              config: { ...before.config.desired, ...input.config },
              resourceVersion: input.resourceVersion ?? before.resourceVersion,
            },
            request,
          ),
      );
      return {
        output: {
          ...summarize(after),
          changes: configChanges(before.config.desired, after.config.desired),
          pending: after.config.pending,
        },
      };
    },
  });
}

/** Registers `restart`: rolls the server's pod without a configuration change. */
function createRestartAction(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  options.actionsRegistry.register({
    name: 'restart',
    title: 'Restart a MySQL server',
    description: `Restarts the server of a MySQL instance without changing its configuration, for
example to apply variables that are pending. Only the owners of the instance may do
this. Connections drop and the database is unavailable until the server is Ready again;
every call restarts it once more.`,
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: instanceInput,
      output: z => z.object(summaryFields(z)),
    },
    action: async ({ input, credentials }) => {
      const detail = await callMysqlApi(
        options,
        credentials,
        'restart',
        (client, request) => client.restart(refOf(input), request),
      );
      return { output: summarize(detail) };
    },
  });
}

/** Registers `create-backup`: starts a backup now. */
function createCreateBackupAction(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  options.actionsRegistry.register({
    name: 'create-backup',
    title: 'Back up a MySQL instance',
    description: `Starts a backup of a MySQL instance now, to the target of its backup policy, and
answers while it runs. Only the owners of the instance may do this. It is refused while
another backup of the instance runs. Once it completes, the oldest backups beyond the
policy's retention are deleted.`,
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: instanceInput,
      output: z =>
        z.object({
          id: z.string().describe('The backup, as the entity page lists it'),
          status: z.string().describe('Running, until it completes or fails'),
        }),
    },
    action: async ({ input, credentials }) => {
      const backup = await callMysqlApi(
        options,
        credentials,
        'create-backup',
        (client, request) => client.createBackup(refOf(input), request),
      );
      return { output: { id: backup.id, status: backup.status } };
    },
  });
}

/**
 * Registers the plugin's actions for agents (served over MCP by the MCP
 * actions backend when `backend.actions.pluginSources` names `mysql`).
 * Each calls the plugin's REST API on behalf of the user, so an agent meets
 * the same checks, audit events and history as a person on the entity page.
 */
export function createMysqlActions(
  options: MysqlActionsOptions & { actionsRegistry: ActionsRegistryService },
) {
  createListInstancesAction(options);
  createGetInstanceAction(options);
  createUpdateConfigAction(options);
  createRestartAction(options);
  createCreateBackupAction(options);
}
