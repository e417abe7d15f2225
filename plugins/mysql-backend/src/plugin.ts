import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { mysqlPermissions } from '@mysql-portal/plugin-mysql-common';
import {
  MysqlClusters,
  readMysqlProvisionConfig,
} from '@mysql-portal/plugin-mysql-node';
import { createMysqlActions } from './actions';
import { MysqlEvents } from './MysqlEvents';
import { ResourceStatusWriter } from './controllers/ResourceStatusWriter';
import { readBackupConfig } from './backups/backupConfig';
import { BackupRunner } from './backups/BackupRunner';
import { BackupStore } from './backups/BackupStore';
import { ensureBackupUser } from './backups/backupUser';
import { Restorer } from './backups/Restorer';
import { wireOwnerEvents } from './notifications/wireOwnerEvents';
import { InstanceFleet } from './fleet/InstanceFleet';
import { Deleter } from './provision/Deleter';
import { Deletions } from './provision/Deletions';
import { Provisioner } from './provision/Provisioner';
import { InstanceAnnouncer } from './service/InstanceAnnouncer';
import { InstanceCache, InstanceObjects } from './service/InstanceCache';
import { InstanceRecords } from './service/InstanceRecords';
import { InstanceService } from './service/InstanceService';
import { MysqlStore } from './service/MysqlStore';
import { Provenance } from './service/Provenance';
import { Poller, PollerOptions } from './service/Poller';
import { Reconciler, ReconcilerOptions } from './service/Reconciler';
import { isReady } from './service/rollout';
import { createRouter } from './service/router';
import { readUpgrade } from './upgrade/upgradeState';
import { Upgrader } from './upgrade/Upgrader';

/** Seconds between two ticks of the poll task, at most. */
const POLL_TICK_SECONDS = 2;

function readOptions(config: Config): {
  reconciler: ReconcilerOptions;
  resyncSeconds: number;
  poller: PollerOptions;
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
      stableSeconds:
        config.getOptionalNumber('mysql.reconciler.stableSeconds') ?? 30,
    },
    resyncSeconds:
      config.getOptionalNumber('mysql.reconciler.resyncSeconds') ?? 300,
    poller: {
      frequencySeconds:
        config.getOptionalNumber('mysql.poller.frequencySeconds') ?? 30,
      timeoutSeconds:
        config.getOptionalNumber('mysql.poller.timeoutSeconds') ?? 5,
      concurrency: config.getOptionalNumber('mysql.poller.concurrency') ?? 100,
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
        discovery: coreServices.discovery,
        actionsRegistry: actionsRegistryServiceRef,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, lifecycle, events } = deps;
        const options = readOptions(config);
        const clusters = MysqlClusters.fromConfig(config);
        // The backend's own events; `events` is Backstage's, across plugins.
        const internal = new MysqlEvents();
        const store = await MysqlStore.create(deps.database, internal);
        const db = await deps.database.getClient();
        const records = await InstanceRecords.create(db);
        const cache = new InstanceCache(
          clusters,
          logger,
          ref => !!records.get(ref),
        );
        const provenance = new Provenance(
          cache,
          records,
          store,
          logger,
          internal,
        );
        const provisioner = new Provisioner(
          clusters,
          readMysqlProvisionConfig(config),
          records,
          store,
          deps.catalog,
          deps.auth,
          logger,
          internal,
        );
        const deleter = new Deleter(clusters, records, store, logger, internal);
        const backupConfig = readBackupConfig(config);
        const backupStore = new BackupStore(db);
        const backups = new BackupRunner(
          clusters,
          cache,
          records,
          backupStore,
          store,
          backupConfig,
          logger,
          internal,
        );
        const restorer = new Restorer(
          clusters,
          cache,
          records,
          backups,
          backupStore,
          store,
          logger,
          backupConfig.timeoutSeconds,
        );
        const deletions = new Deletions(
          clusters,
          cache,
          records,
          backups,
          backupStore,
          deleter,
          store,
          logger,
        );
        const announcer = await InstanceAnnouncer.create({
          events,
          cache,
          records,
          logger,
        });
        internal.on('recordsChanged', announcer.announce);
        const reconciler = new Reconciler(
          clusters,
          cache,
          store,
          logger,
          options.reconciler,
          internal,
        );
        const poller = new Poller(
          clusters,
          cache,
          store,
          logger,
          options.poller,
          internal,
        );
        const upgrader = new Upgrader(
          clusters,
          cache,
          records,
          backups,
          backupStore,
          store,
          logger,
          internal,
        );
        const service = new InstanceService(clusters, cache, store, records, {
          mode: options.reconciler.mode,
          detailExtras: async ref => {
            const restore = await backupStore.getRestore(ref);
            const sts = cache.get(ref)?.statefulSet;
            return {
              upgrade: sts && readUpgrade(sts),
              restore: restore && {
                source: restore.source,
                status: restore.status,
                message: restore.message || undefined,
              },
            };
          },
        });
        const resources = new ResourceStatusWriter(
          clusters,
          cache,
          records,
          logger,
          undefined,
          record => service.summaryOf(record),
        );
        // Besides after each poll, a change of an instance's objects (a
        // rollout, a pending delete) reaches its status at once.
        cache.onChange(ref => resources.enqueue(ref));
        const requestPoll = (inst: InstanceObjects) =>
          poller
            .requestPoll(inst.ref)
            .catch(error =>
              logger.warn(`asking to poll ${inst.ref}: ${error}`),
            );
        internal.on('rolloutDone', requestPoll);
        internal.on('upgradeFinished', requestPoll);
        // Owners are notified of what went wrong, and open cards are told
        // to fetch whenever something they show changes.
        const ownerEvents = wireOwnerEvents({
          db,
          notifications: deps.notifications,
          signals: deps.signals,
          logger,
          cache,
          records,
          events: internal,
        });
        // A new instance is polled as soon as its pod is Ready, so the card
        // does not say "waiting for the first poll" until the next cycle.
        // Keyed by StatefulSet UID: a StatefulSet made again is new.
        const polledOnce = new Set<string>();
        cache.onChange(ref => {
          const inst = cache.get(ref);
          const uid = inst?.statefulSet.metadata?.uid;
          if (!inst || !uid || polledOnce.has(uid) || !inst.pods.some(isReady))
            return;
          polledOnce.add(uid);
          requestPoll(inst);
          // Instances made before backups existed get their user here too.
          ensureBackupUser(clusters, inst).catch(error =>
            logger.warn(`creating the backup user of ${inst.ref}: ${error}`),
          );
        });
        provenance.start();
        reconciler.start();
        cache.start();
        lifecycle.addShutdownHook(async () => {
          ownerEvents.stop();
          await reconciler.stop();
          await resources.stop();
          await cache.stop();
        });

        // Every poll runs here, on one replica at a time; the task ticks
        // often so that a requested poll waits seconds, and polls each
        // instance once per frequency.
        await scheduler.scheduleTask({
          id: 'mysql-poll-versions',
          frequency: {
            seconds: Math.min(
              POLL_TICK_SECONDS,
              options.poller.frequencySeconds,
            ),
          },
          timeout: { seconds: Math.max(60, options.poller.timeoutSeconds * 4) },
          scope: 'global',
          fn: async signal => {
            // Phases are saved when polls may have changed them, not on
            // every tick: at 1,000 instances that is a read of them all.
            if ((await poller.pollDue(signal)) > 0) {
              const { changed, summaries } = await service.saveStatuses();
              await resources.sync(summaries);
              await ownerEvents.statusesChanged(changed);
            }
          },
        });
        // Each replica checks every instance now and then, in case a watch
        // event was missed; writes carry preconditions, so replicas agree.
        await scheduler.scheduleTask({
          id: 'mysql-reconcile-resync',
          frequency: { seconds: options.resyncSeconds },
          initialDelay: { seconds: options.resyncSeconds },
          timeout: { seconds: 60 },
          scope: 'local',
          fn: async () => reconciler.resync(),
        });

        // Backups are followed and scheduled on one replica at a time.
        await scheduler.scheduleTask({
          id: 'mysql-backups',
          frequency: { seconds: backupConfig.checkSeconds },
          timeout: { seconds: 120 },
          scope: 'global',
          fn: async () => {
            await backups.check();
            await restorer.followAll();
            await upgrader.followAll();
            await deletions.followAll();
            await backups.runSchedules();
          },
        });

        deps.permissionsRegistry.addPermissions(mysqlPermissions);
        deps.httpRouter.use(
          await createRouter({
            service,
            fleet: new InstanceFleet(service, backupStore, {
              defaults: backupConfig.defaults,
              graceLimitMs: backupConfig.timeoutSeconds * 1000,
            }),
            provisioner,
            deleter,
            deletions,
            backups,
            restorer,
            upgrader,
            catalog: deps.catalog,
            auth: deps.auth,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger,
          }),
        );
        // Actions for agents, served over MCP; they call the REST API above.
        createMysqlActions({
          actionsRegistry: deps.actionsRegistry,
          discovery: deps.discovery,
          auth: deps.auth,
        });
      },
    });
  },
});
