import { Entity } from '@backstage/catalog-model';
import { MYSQL_INSTANCE_ANNOTATION } from '@mysql-portal/plugin-mysql-common';

/**
 * Whether the entity stands for a MySQL instance, that is, has the
 * `mysql.backstage.io/instance` annotation. For `EntitySwitch.Case`.
 *
 * @public
 */
export function isMysqlAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[MYSQL_INSTANCE_ANNOTATION]);
}
