import * as k8s from '@kubernetes/client-node';
import { NODE_NAME } from '../clusterObjects';

/** Records Events the way a kubelet does; failures to record are only logged. */
export class EventRecorder {
  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly log: (line: string) => void,
  ) {}

  async record(
    object: { kind: string; apiVersion: string; metadata?: k8s.V1ObjectMeta },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component = 'kubelet',
  ) {
    const meta = object.metadata ?? {};
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
        namespace: meta.namespace ?? 'default',
        body: {
          metadata: { generateName: `${meta.name}.` },
          involvedObject: {
            kind: object.kind,
            apiVersion: object.apiVersion,
            name: meta.name,
            namespace: meta.namespace,
            uid: meta.uid,
          },
          type,
          reason,
          message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component, host: NODE_NAME },
          reportingComponent: component,
          reportingInstance: NODE_NAME,
        },
      });
    } catch (error) {
      this.log(`could not record event ${reason}: ${(error as Error).message}`);
    }
  }
}
