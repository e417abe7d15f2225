import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogApi } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import {
  MysqlApiClient,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';

/** The template behind the home page's "Create a database" action. */
export const CREATE_DATABASE_PATH = '/create/templates/default/mysql-database';

/** One database the signed-in user owns, with what the backend last saw. */
export interface OwnedDatabase {
  entity: Entity;
  /** Absent when the mysql backend has no instance for this entity. */
  instance?: MysqlInstanceSummary;
}

/** What the "Your databases" widget shows. */
export interface OwnedDatabases {
  databases: OwnedDatabase[];
  /**
   * Why no status could be read (the mysql backend failed); the catalog's
   * list is still shown. Absent when statuses were read, or when the
   * portal runs without the mysql backend.
   */
  statusError?: string;
}

/**
 * The catalog's databases (Resource entities of `spec.type: database`) that
 * the user or one of their groups owns, each joined with its instance from
 * the mysql backend's `GET /instances` by the entity ref the backend
 * recorded for it.
 */
export async function loadOwnedDatabases(options: {
  catalogApi: Pick<CatalogApi, 'getEntities'>;
  mysqlApi: Pick<MysqlApiClient, 'listInstances'>;
  ownershipEntityRefs: string[];
}): Promise<OwnedDatabases> {
  const { catalogApi, mysqlApi, ownershipEntityRefs } = options;
  if (ownershipEntityRefs.length === 0) return { databases: [] };

  const [catalog, instances] = await Promise.all([
    catalogApi.getEntities({
      filter: {
        kind: 'Resource',
        'spec.type': 'database',
        'relations.ownedBy': ownershipEntityRefs,
      },
      order: { field: 'metadata.name', order: 'asc' },
    }),
    mysqlApi.listInstances().then(
      response => ({ items: response.items, error: undefined }),
      (error: unknown) => ({ items: [], error }),
    ),
  ]);

  const byEntityRef = new Map(
    instances.items.map(item => [
      item.entityRef.toLocaleLowerCase('en-US'),
      item,
    ]),
  );
  const databases = catalog.items.map(entity => ({
    entity,
    instance: byEntityRef.get(
      stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    ),
  }));
  return { databases, statusError: statusErrorOf(instances.error) };
}

function statusErrorOf(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (isResponseError(error)) {
    // A portal without the mysql backend: the list is all there is to show.
    if (error.statusCode === 404) return undefined;
    return error.body?.error?.message || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

// By name, not instanceof: the app may bundle more than one copy of
// @backstage/errors.
function isResponseError(error: unknown): error is ResponseError {
  return (error as Error | undefined)?.name === 'ResponseError';
}
