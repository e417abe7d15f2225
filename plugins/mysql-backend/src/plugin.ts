import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { mysqlPermissions } from '@internal/plugin-mysql-common';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@internal/plugin-mysql-node';
import { Provisioner } from './provision/Provisioner';
import { InstanceAnnouncer } from './service/InstanceAnnouncer';
import { InstanceCache } from './service/InstanceCache';
import { InstanceRecords } from './service/InstanceRecords';
import { InstanceService } from './service/InstanceService';
import { MysqlStore } from './service/MysqlStore';
import { Provenance } from './service/Provenance';
import { Poller, PollerOptions } from './service/Poller';
import { Reconciler, ReconcilerOptions } from './service/Reconciler';
import { isReady } from './service/rollout';
import { createRouter } from './service/router';

function readOptions(config: Config): {
  reconciler: ReconcilerOptions;
  poller: PollerOptions & { frequencySeconds: number };
} {
  const mode = config.getOptionalString('mysql.reconciler.mode') ?? 'restart';
  if (mode !== 'restart' && mode !== 'online') {
    throw new Error(
      `mysql.reconciler.mode must be restart or online, not "${mode}"`,
    );
  }
  return {
    reconciler: {
      mode,
      rolloutTimeoutSeconds:
        config.getOptionalNumber('mysql.reconciler.rolloutTimeoutSeconds') ??
        180,
      rollbackOnFailure:
        config.getOptionalBoolean('mysql.reconciler.rollbackOnFailure') ?? true,
    },
    poller: {
      frequencySeconds:
        config.getOptionalNumber('mysql.poller.frequencySeconds') ?? 30,
      timeoutSeconds:
        config.getOptionalNumber('mysql.poller.timeoutSeconds') ?? 5,
      concurrency: config.getOptionalNumber('mysql.poller.concurrency') ?? 8,
    },
  };
}

/**
 * The MySQL backend plugin (pluginId `mysql`): reconciles configuration
 * edits into restarts, polls what each server runs, and serves the REST API
 * under /api/mysql.
 *
 * @public
 */
export const mysqlPlugin = createBackendPlugin({
  pluginId: 'mysql',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, lifecycle, events } = deps;
        const options = readOptions(config);
        const clusters = MysqlClusters.fromConfig(config);
        const store = await MysqlStore.create(deps.database);
        const records = await InstanceRecords.create(
          await deps.database.getClient(),
        );
        const cache = new InstanceCache(
          clusters,
          logger,
          ref => !!records.get(ref),
        );
        const provenance = new Provenance(cache, records, store, logger);
        const provisioner = new Provisioner(
          clusters,
          readMysqlProvisionConfig(config),
          records,
          store,
          deps.catalog,
          deps.auth,
          logger,
        );
        const announcer = await InstanceAnnouncer.create({
          events,
          cache,
          records,
          logger,
        });
        provenance.onRecordsChanged = announcer.announce;
        provisioner.onRecordsChanged = announcer.announce;
        const reconciler = new Reconciler(
          clusters,
          cache,
          store,
          logger,
          options.reconciler,
        );
        const poller = new Poller(
          clusters,
          cache,
          store,
          logger,
          options.poller,
        );
        reconciler.onRolloutDone = inst => {
          poller
            .pollOne(inst)
            .catch(error => logger.warn(`polling ${inst.ref}: ${error}`));
        };
        // A new instance is polled as soon as its pod is Ready, so the card
        // does not say "waiting for the first poll" until the next tick.
        // Keyed by StatefulSet UID: a StatefulSet made again is new.
        const polledOnce = new Set<string>();
        cache.onChange(ref => {
          const inst = cache.get(ref);
          const uid = inst?.statefulSet.metadata?.uid;
          if (!inst || !uid || polledOnce.has(uid) || !inst.pods.some(isReady))
            return;
          polledOnce.add(uid);
          poller
            .pollOne(inst)
            .catch(error => logger.warn(`polling ${inst.ref}: ${error}`));
        });
        provenance.start();
        reconciler.start();
        cache.start();
        lifecycle.addShutdownHook(async () => {
          reconciler.stop();
          await cache.stop();
        });

        await scheduler.scheduleTask({
          id: 'mysql-poll-versions',
          frequency: { seconds: options.poller.frequencySeconds },
          timeout: { seconds: Math.max(60, options.poller.timeoutSeconds * 4) },
          scope: 'global',
          fn: () => poller.pollAll(),
        });

        deps.permissionsRegistry.addPermissions(mysqlPermissions);
        deps.httpRouter.use(
          await createRouter({
            service: new InstanceService(
              clusters,
              cache,
              store,
              records,
              options.reconciler.mode,
            ),
            provisioner,
            catalog: deps.catalog,
            auth: deps.auth,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger,
          }),
        );
      },
    });
  },
});
