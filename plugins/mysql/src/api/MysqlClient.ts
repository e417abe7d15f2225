import { MysqlApiClient } from '@mysql-portal/plugin-mysql-common';
import { MysqlApi } from './MysqlApi';

/**
 * The {@link MysqlApi} over HTTP. Construct it with `discoveryApi` and
 * `fetchApi`, so that requests carry the user's Backstage token.
 *
 * @public
 */
export class MysqlClient extends MysqlApiClient implements MysqlApi {}
