import * as k8s from '@kubernetes/client-node';
import { describeKubernetesError, statusOf } from '../service/kubernetesErrors';

/** How a Job ended: its last container's termination message, or why it failed. */
export interface JobOutcome {
  succeeded: boolean;
  message?: string;
  /** The Job is not there: deleted, or not created yet. */
  missing?: boolean;
}

/** Waiting reasons after which a Job pod will not run without someone's help. */
const STUCK = new Set([
  'CreateContainerConfigError',
  'ImagePullBackOff',
  'InvalidImageName',
]);

const MESSAGE_LIMIT = 2000;

function trimmed(message?: string) {
  const text = message?.trim();
  if (!text) return undefined;
  return text.length > MESSAGE_LIMIT ? `…${text.slice(-MESSAGE_LIMIT)}` : text;
}

function statuses(pod: k8s.V1Pod) {
  return [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
}

/**
 * The outcome of a Job, or undefined while it runs. A failure's message is
 * the failed container's own (its termination log, or its last log lines),
 * else the Job's; a pod stuck on its configuration or image fails too.
 */
export async function jobOutcome(
  batch: k8s.BatchV1Api,
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<JobOutcome | undefined> {
  let job: k8s.V1Job;
  try {
    job = await batch.readNamespacedJob({ name, namespace });
  } catch (error) {
    if (statusOf(error) === 404) {
      return {
        succeeded: false,
        message: `Job ${namespace}/${name} was deleted before it ended`,
        missing: true,
      };
    }
    throw describeKubernetesError(error, `reading Job ${namespace}/${name}`);
  }
  const ended = job.status?.conditions?.find(
    c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `job-name=${name}`,
  });
  const all = pods.items.flatMap(statuses);
  if (!ended) {
    const stuck = all.find(s => STUCK.has(s.state?.waiting?.reason ?? ''));
    if (!stuck) return undefined;
    const { reason, message } = stuck.state!.waiting!;
    return {
      succeeded: false,
      message: `container ${stuck.name} cannot start: ${reason}${
        message ? `: ${message}` : ''
      }`,
    };
  }
  if (ended.type === 'Complete') {
    const last = pods.items[0]?.status?.containerStatuses?.at(-1);
    return {
      succeeded: true,
      message: trimmed(last?.state?.terminated?.message),
    };
  }
  const failed = all.find(
    s => s.state?.terminated && s.state.terminated.exitCode !== 0,
  );
  const terminated = failed?.state?.terminated;
  return {
    succeeded: false,
    message: terminated
      ? `${failed!.name} exited with ${terminated.exitCode}: ${
          trimmed(terminated.message) ?? terminated.reason ?? 'no message'
        }`
      : trimmed(`${ended.reason ?? 'Failed'}: ${ended.message ?? ''}`),
  };
}

/**
 * Deletes a Job whose outcome is recorded, with its pods. Errors are
 * ignored: a Job left behind is deleted by its TTL, and the outcome is
 * already kept.
 */
export async function deleteEndedJob(
  batch: k8s.BatchV1Api,
  namespace: string,
  name: string,
): Promise<void> {
  await batch
    .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
    .catch(() => undefined);
}
