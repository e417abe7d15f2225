import { LoggerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { MYSQL_INSTANCES_TOPIC } from '@mysql-portal/plugin-mysql-node';
import { randomUUID } from 'node:crypto';
import { InstanceCache } from './InstanceCache';
import { InstanceRecords } from './InstanceRecords';

/**
 * Announces on the events service that the set of instances changed (a
 * record added or removed, a StatefulSet that appeared or went), so that
 * the catalog module reads them again; and reloads the records when another
 * replica announces a change.
 */
export class InstanceAnnouncer {
  private readonly replica = randomUUID();
  private readonly present = new Set<string>();

  static async create(options: {
    events: EventsService;
    cache: InstanceCache;
    records: InstanceRecords;
    logger: LoggerService;
  }): Promise<InstanceAnnouncer> {
    const announcer = new InstanceAnnouncer(options.events, options.logger);
    await options.events.subscribe({
      id: 'mysql-backend-records',
      topics: [MYSQL_INSTANCES_TOPIC],
      onEvent: async ({ eventPayload }) => {
        // This replica's own records are up to date already.
        if (
          (eventPayload as { replica?: string })?.replica !== announcer.replica
        ) {
          await options.records.reload();
        }
      },
    });
    options.cache.onChange((ref, kind) => {
      if (kind === 'statefulsets')
        announcer.statefulSetChanged(ref, !!options.cache.get(ref));
    });
    return announcer;
  }

  private constructor(
    private readonly events: EventsService,
    private readonly logger: LoggerService,
  ) {}

  announce = () => {
    this.events
      .publish({
        topic: MYSQL_INSTANCES_TOPIC,
        eventPayload: { replica: this.replica },
      })
      .catch(error => this.logger.warn(`publishing a change: ${error}`));
  };

  private statefulSetChanged(ref: string, present: boolean) {
    if (present === this.present.has(ref)) return;
    if (present) this.present.add(ref);
    else this.present.delete(ref);
    this.announce();
  }
}
