import { formatInstanceRef } from './constants';
import type { MysqlInstanceRef } from './types';

/**
 * What changed about an instance: its Kubernetes objects (configuration,
 * rollout, upgrade, pods), its phase, what its server runs (a poll), its
 * history or its backups.
 *
 * @public
 */
export type MysqlInstanceSignalReason =
  | 'objects'
  | 'status'
  | 'poll'
  | 'history'
  | 'backup';

/**
 * The message the backend publishes on {@link mysqlInstanceSignalChannel}
 * when an instance changes. It names what changed and nothing else: the
 * card fetches the detail through the API, where the read permission
 * applies.
 *
 * @public
 */
export type MysqlInstanceSignal = {
  /** `<cluster>/<namespace>/<name>` */
  ref: string;
  reasons: MysqlInstanceSignalReason[];
};

/**
 * The signals channel of one instance: `mysql:instance:<cluster>/<namespace>/<name>`.
 *
 * @public
 */
export function mysqlInstanceSignalChannel(
  ref: MysqlInstanceRef | string,
): string {
  return `mysql:instance:${
    typeof ref === 'string' ? ref : formatInstanceRef(ref)
  }`;
}
