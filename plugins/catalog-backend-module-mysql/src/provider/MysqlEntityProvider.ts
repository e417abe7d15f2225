import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MysqlApiClient } from '@mysql-portal/plugin-mysql-common';
import { instanceEntity, locationOf } from './instanceEntity';

const DEBOUNCE_MS = 200;
const RETRY_MS = 5000;

/**
 * Emits one `Resource` entity (type `database`) per instance the mysql
 * backend recorded, with the recorded owner and entity name. It reads
 * `GET /api/mysql/instances` as the catalog's own service: on connect, each
 * time the backend announces a change on the events service, and on every
 * `refresh` (the module schedules one as a fallback).
 *
 * @public
 */
export class MysqlEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly client: MysqlApiClient;
  private timer?: NodeJS.Timeout;
  private failing = false;
  private stopped = false;

  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
  }) {
    return new MysqlEntityProvider(options);
  }

  private constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {
    this.client = new MysqlApiClient({ discoveryApi: options.discovery });
  }

  getProviderName(): string {
    return 'mysql';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    this.schedule(0);
  }

  /** Reads the instances again soon; several calls in a row make one read. */
  changed() {
    this.schedule(DEBOUNCE_MS);
  }

  /** Stops the pending read; called on backend shutdown. */
  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number) {
    if (this.stopped || !this.connection) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch(() => {
        // refresh reports and retries by itself
      });
    }, delayMs);
  }

  /** Reads every instance from the mysql backend and replaces the entities. */
  async refresh(): Promise<void> {
    if (!this.connection || this.stopped) return;
    const { auth, logger } = this.options;
    let items;
    try {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'mysql',
      });
      ({ items } = await this.client.listInstances({ token }));
    } catch (error) {
      if (!this.failing) {
        logger.warn(
          `could not read the MySQL instances from the mysql backend (${error}); retrying every ${
            RETRY_MS / 1000
          }s`,
        );
      }
      this.failing = true;
      this.schedule(RETRY_MS);
      throw error;
    }
    if (this.failing) logger.info('reading the MySQL instances again');
    this.failing = false;
    await this.connection.applyMutation({
      type: 'full',
      entities: items.map(instance => ({
        entity: instanceEntity(instance),
        locationKey: locationOf(instance),
      })),
    });
    logger.debug(`emitted ${items.length} MySQL instance entities`);
  }
}
