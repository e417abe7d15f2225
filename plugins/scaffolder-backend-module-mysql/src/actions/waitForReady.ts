import { LoggerService } from '@backstage/backend-plugin-api';
import { MYSQL_LABELS } from '@internal/plugin-mysql-common';
import { MysqlClusterClient } from '@internal/plugin-mysql-node';
import { describeKubernetesError } from './kubernetesErrors';

const POLL_MS = 2000;

/**
 * Follows the instance's pod until the StatefulSet counts it ready, logging
 * each change of the pod's state. Fails early on CrashLoopBackOff with the
 * server's own error, and after `timeoutSeconds`.
 */
export async function waitForReady(options: {
  client: MysqlClusterClient;
  namespace: string;
  name: string;
  timeoutSeconds: number;
  logger: LoggerService;
  signal?: AbortSignal;
}) {
  const { client, namespace, name, logger, signal } = options;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    if (signal?.aborted)
      throw new Error('cancelled while waiting for the database');
    let state: string;
    try {
      const sts = await client.apps.readNamespacedStatefulSet({
        name,
        namespace,
      });
      if ((sts.status?.readyReplicas ?? 0) >= 1) {
        logger.info(`${name} is ready`);
        return;
      }
      const pods = await client.core.listNamespacedPod({
        namespace,
        labelSelector: `${MYSQL_LABELS.instance}=${name}`,
      });
      const pod = pods.items[0];
      const container = pod?.status?.containerStatuses?.[0];
      const waiting = container?.state?.waiting;
      if (waiting?.reason === 'CrashLoopBackOff') {
        throw new Error(
          `${name} does not start: the server exited and Kubernetes is backing off. ` +
            `Last lines of its log:\n${
              container?.lastState?.terminated?.message ?? waiting.message ?? ''
            }`,
        );
      }
      state = pod
        ? `pod ${pod.metadata?.name}: ${pod.status?.phase ?? 'Pending'}${
            waiting?.reason ? ` (${waiting.reason})` : ''
          }${container?.state?.running ? ', server starting' : ''}`
        : 'waiting for the StatefulSet controller to create the pod';
    } catch (error) {
      if ((error as { code?: number }).code) {
        throw describeKubernetesError(error, `following ${namespace}/${name}`);
      }
      throw error;
    }
    if (state !== last) {
      logger.info(state);
      last = state;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${name} was not ready after ${options.timeoutSeconds}s (${state}); raise timeoutSeconds or check the pod's events`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
  }
}
