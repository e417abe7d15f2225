import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { createHash } from 'node:crypto';
import {
  ConfigChange,
  planConfigChange,
  toRequestedConfig,
} from './configChanges';
import { explainBackendError } from './explainBackendError';
import { MysqlApi } from './mysqlApi';
import { examples } from './mysqlConfigure.examples';
import { resolveInstance } from './resolveInstance';

function describeChange(change: ConfigChange): string {
  return `${change.name}: ${change.from ?? '(default)'} -> ${change.to}`;
}

/** What mysql:configure says about the backend's error answers. */
function explain(
  error: unknown,
  entityRef: string,
  instanceRef: string,
): Error {
  return explainBackendError(error, {
    subject: entityRef,
    refused: reason =>
      `The mysql backend refused the configuration of ${entityRef}: ${reason}`,
    forbidden: reason =>
      `You may not change the configuration of ${entityRef}: the mysql backend needs the permission mysql.instance.config.update on it for the user who runs the template (${reason})`,
    notFound: reason =>
      `The mysql backend does not know ${instanceRef}, the instance of ${entityRef} (${reason})`,
    conflict: () =>
      `The configuration of ${entityRef} was changed by someone else while this task ran, twice; nothing was changed. Run the template again to apply your values on top of the new configuration.`,
  });
}

/**
 * Creates the `mysql:configure` action: changes server variables of a
 * database created with `mysql:provision`, through the mysql backend's API
 * and on behalf of the user who runs the template, so the same permission
 * (`mysql.instance.config.update`) and validation apply as on the entity
 * page. The backend then applies the new my.cnf: by restarting the server,
 * or online for dynamic variables when the backend's mode is `online`.
 *
 * @public
 */
export function createMysqlConfigureAction(options: {
  catalog: CatalogService;
  auth: AuthService;
  discovery: DiscoveryService;
}): TemplateAction<
  // Spelled out rather than inferred from the schema: the compiler prints
  // inferred zod object types with their keys in whatever order it met them,
  // which would make report.api.md change from one build to the next.
  {
    entityRef: string;
    config?: Record<string, string | number | boolean | null>;
  },
  {
    entityRef: string;
    changes: { name: string; from?: string; to: string }[];
    restartRequired: boolean;
  },
  'v2'
> {
  const { catalog, auth, discovery } = options;
  return createTemplateAction({
    id: 'mysql:configure',
    description:
      'Changes server variables (my.cnf) of a MySQL database in the catalog; variables not given keep their current values. The mysql backend then applies the change, restarting the server when needed.',
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
        config: z =>
          z
            .record(z.union([z.string(), z.number(), z.boolean(), z.null()]), {
              description:
                'Server variables from the MySQL variable catalogue; empty or null values leave a variable unchanged',
            })
            .optional(),
      },
      output: {
        entityRef: z =>
          z.string({ description: 'Catalog entity of the database' }),
        changes: z =>
          z.array(
            z.object({
              name: z.string(),
              from: z
                .string({
                  description: 'Absent when the server default applied',
                })
                .optional(),
              to: z.string(),
            }),
            { description: 'The variables that changed, by name' },
          ),
        restartRequired: z =>
          z.boolean({
            description:
              'Whether the server restarts to apply the change (online mode: only for variables that are not dynamic)',
          }),
      },
    },
    async handler(ctx) {
      const requested = toRequestedConfig(ctx.input.config);
      const credentials = await ctx.getInitiatorCredentials();
      const { entityRef, ref, instanceRef } = await resolveInstance({
        actionId: 'mysql:configure',
        entityRef: ctx.input.entityRef,
        catalog,
        credentials,
      });
      const api = new MysqlApi(discovery, auth, credentials);
      const read = async () => {
        try {
          return await api.getInstance(ref);
        } catch (error) {
          throw explain(error, entityRef, instanceRef);
        }
      };

      ctx.logger.info(
        `${entityRef} is MySQL ${instanceRef}; requested: ${
          Object.entries(requested)
            .map(([name, value]) => `${name}=${value}`)
            .join(', ') || 'no values'
        }`,
      );
      let detail = await read();
      // The backend reports its reconciler mode (older ones do not: they
      // always restart), so a scaffolder deployed apart from it cannot
      // disagree.
      let plan = planConfigChange(
        detail.config.desired,
        requested,
        detail.config.mode,
        detail.version.image,
      );

      const finish = (changes: ConfigChange[], restartRequired: boolean) => {
        ctx.output('entityRef', entityRef);
        ctx.output('changes', changes);
        ctx.output('restartRequired', restartRequired);
      };
      if (plan.changes.length === 0) {
        ctx.logger.info(
          `nothing to change: ${entityRef} already has the requested values`,
        );
        finish([], false);
        return;
      }
      for (const change of plan.changes) {
        ctx.logger.info(`change ${describeChange(change)}`);
      }
      if (ctx.isDryRun) {
        ctx.logger.info('Dry run: the configuration was not changed');
        finish(plan.changes, plan.restartRequired);
        return;
      }

      const digest = createHash('sha256')
        .update(JSON.stringify(Object.entries(requested).sort()))
        .digest('hex')
        .slice(0, 16);
      const result = await ctx.checkpoint({
        key: `mysql.configure.${instanceRef}.${digest}`,
        fn: async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              // The answer's restartRequired is true right after any write
              // (the new my.cnf is not running yet), so it says nothing
              // about how the change will be applied.
              await api.updateConfig(ref, {
                config: plan.merged,
                resourceVersion: detail.resourceVersion,
              });
              return {
                changes: plan.changes,
                restartRequired: plan.restartRequired,
              };
            } catch (error) {
              if (
                attempt > 1 ||
                !(error instanceof ResponseError) ||
                error.statusCode !== 409
              ) {
                throw explain(error, entityRef, instanceRef);
              }
              // Someone saved in between: merge onto their version instead.
              ctx.logger.warn(
                `${entityRef} was changed by someone else meanwhile (resourceVersion ${detail.resourceVersion} is stale); reading it again and retrying once`,
              );
              detail = await read();
              plan = planConfigChange(
                detail.config.desired,
                requested,
                detail.config.mode,
                detail.version.image,
              );
              if (plan.changes.length === 0) {
                ctx.logger.info(
                  `nothing to change: ${entityRef} now already has the requested values`,
                );
                return { changes: [], restartRequired: false };
              }
            }
          }
        },
      });

      if (result.changes.length > 0) {
        ctx.logger.info(
          `updated the configuration of ${entityRef}; ${
            result.restartRequired
              ? 'the server restarts to apply it'
              : 'the backend applies it online, without a restart'
          }`,
        );
      }
      finish(result.changes, result.restartRequired);
    },
  });
}
