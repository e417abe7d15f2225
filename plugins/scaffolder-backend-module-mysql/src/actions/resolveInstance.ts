import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { assertError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  formatInstanceRef,
  MYSQL_INSTANCE_ANNOTATION,
  MysqlInstanceRef,
  parseInstanceRef,
} from '@mysql-portal/plugin-mysql-common';

/** A database entity of the catalog and the instance its annotation names. */
export interface ResolvedInstance {
  /** The full entity ref, e.g. `resource:default/orders-db`. */
  entityRef: string;
  /** Where the instance runs, from the entity's annotation. */
  ref: MysqlInstanceRef;
  /** `ref` as `<cluster>/<namespace>/<name>`, for messages and keys. */
  instanceRef: string;
}

/**
 * Finds the instance of an action's `entityRef` input: the entity as the
 * user who runs the template sees it in the catalog (so nobody reaches an
 * instance through an entity they may not read), and the instance its
 * `MYSQL_INSTANCE_ANNOTATION` names. The backend checks its own record of
 * that instance again, so a forged annotation gains nothing. A bare name
 * means `resource:default/<name>`. Every refusal is an InputError naming
 * `entityRef`.
 */
export async function resolveInstance(options: {
  /** The action's id, for the message about a malformed ref. */
  actionId: string;
  entityRef: string;
  catalog: CatalogService;
  credentials: BackstageCredentials;
}): Promise<ResolvedInstance> {
  const { actionId, catalog, credentials } = options;
  let entityRef: string;
  try {
    entityRef = stringifyEntityRef(
      parseEntityRef(options.entityRef, {
        defaultKind: 'resource',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    assertError(error);
    throw new InputError(
      `Invalid input for ${actionId}:\n- entityRef: "${options.entityRef}" is not an entity ref (${error.message})`,
    );
  }

  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new InputError(
      `entityRef: ${entityRef} is not in the catalog (or you may not see it)`,
    );
  }
  const annotation = entity.metadata.annotations?.[MYSQL_INSTANCE_ANNOTATION];
  if (!annotation) {
    throw new InputError(
      `entityRef: ${entityRef} is not a MySQL database of this portal: it has no ${MYSQL_INSTANCE_ANNOTATION} annotation`,
    );
  }
  let ref: MysqlInstanceRef;
  try {
    ref = parseInstanceRef(annotation);
  } catch (error) {
    assertError(error);
    throw new InputError(
      `entityRef: ${entityRef} has a bad ${MYSQL_INSTANCE_ANNOTATION} annotation: ${error.message}`,
    );
  }
  return { entityRef, ref, instanceRef: formatInstanceRef(ref) };
}
