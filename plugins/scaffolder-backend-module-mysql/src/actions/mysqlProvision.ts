import { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  formatInstanceRef,
  MYSQL_INSTANCE_ANNOTATION,
} from '@internal/plugin-mysql-common';
import {
  buildMysqlManifests,
  generateInstancePasswords,
  MysqlClusters,
  MysqlProvisionConfig,
} from '@internal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { examples } from './mysqlProvision.examples';
import { ProvisionInput, toProvisionRequest } from './inputs';
import { InstanceObjects, OBJECT_KINDS, ObjectKind } from './instanceObjects';
import { waitForReady } from './waitForReady';

const QUANTITY_PATTERN = '^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$';

/**
 * Creates the `mysql:provision` action: a standalone MySQL (one-replica
 * StatefulSet with its Secret, ConfigMap and Services) on a configured
 * cluster, which the MySQL entity provider then adds to the catalog.
 *
 * @public
 */
export function createMysqlProvisionAction(options: {
  clusters: MysqlClusters;
  provision: MysqlProvisionConfig;
  catalog: CatalogService;
  auth: AuthService;
}) {
  const { clusters, provision, catalog, auth } = options;

  return createTemplateAction({
    id: 'mysql:provision',
    description:
      'Creates a standalone MySQL on a Kubernetes (microk8s) cluster: generated passwords in a Secret, my.cnf in a ConfigMap, Services and a one-replica StatefulSet.',
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
                'How long to wait for ready; default from config (300)',
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
      const request = toProvisionRequest(
        ctx.input as ProvisionInput,
        clusters,
        provision,
      );
      const { spec, cluster } = request;
      const { name, namespace } = spec;
      const instanceRef = formatInstanceRef({ cluster, namespace, name });
      const entityRef = `resource:default/${name}`;
      const manifests = buildMysqlManifests(spec);

      const outputs = () => {
        ctx.output('entityRef', entityRef);
        ctx.output('cluster', cluster);
        ctx.output('namespace', namespace);
        ctx.output('host', `${name}.${namespace}.svc.cluster.local`);
        ctx.output('port', 3306);
        ctx.output('secretName', name);
      };
      ctx.logger.info(
        `MySQL ${instanceRef}: ${spec.image}, owner ${spec.owner}`,
      );

      if (ctx.isDryRun) {
        ctx.output(
          'manifests',
          OBJECT_KINDS.map(kind => k8s.dumpYaml(manifests[kind])).join('---\n'),
        );
        outputs();
        ctx.logger.info('Dry run: nothing was created');
        return;
      }

      const existingEntity = await catalog.getEntityByRef(entityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      const existingInstance =
        existingEntity?.metadata.annotations?.[MYSQL_INSTANCE_ANNOTATION];
      if (existingEntity && existingInstance !== instanceRef) {
        const holder = existingInstance ? ` for ${existingInstance}` : '';
        throw new InputError(
          `name: "${name}" is taken: the catalog already has ${entityRef}${holder}. ` +
            'Instance names are unique across clusters and namespaces; choose another name.',
        );
      }

      const client = clusters.client(cluster);
      const objects = new InstanceObjects(client, namespace);
      const existing = await objects.readOwned(manifests, name);
      if (existing.size === OBJECT_KINDS.length) {
        ctx.logger.info(`${instanceRef} already exists; nothing to change`);
      }

      const created: ObjectKind[] = [];
      try {
        for (const kind of OBJECT_KINDS) {
          if (existing.has(kind)) continue;
          let body: k8s.KubernetesObject = manifests[kind];
          if (kind === 'secret') {
            body = {
              ...manifests.secret,
              stringData: {
                ...manifests.secret.stringData,
                ...generateInstancePasswords(),
              },
            } as k8s.V1Secret;
          }
          await ctx.checkpoint({
            key: `mysql.provision.${instanceRef}.${kind}`,
            fn: async () => {
              await objects.create(kind, body);
            },
          });
          created.push(kind);
          ctx.logger.info(
            `created ${body.kind} ${namespace}/${body.metadata!.name}`,
          );
        }
        if (request.waitForReady) {
          ctx.logger.info(
            `waiting up to ${request.timeoutSeconds}s for ${name} to be ready`,
          );
          await waitForReady({
            client,
            namespace,
            name,
            timeoutSeconds: request.timeoutSeconds,
            logger: ctx.logger,
            signal: ctx.signal,
          });
        }
      } catch (error) {
        if (created.length > 0) {
          ctx.logger.warn(
            `provisioning failed; removing what this run created: ${created.join(
              ', ',
            )}`,
          );
          for (const kind of [...created].reverse()) {
            await objects.delete(kind, manifests[kind].metadata!.name!);
          }
          if (created.includes('statefulSet')) await objects.deleteClaims(name);
        }
        throw error;
      }
      outputs();
    },
  });
}
