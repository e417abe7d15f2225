import * as k8s from '@kubernetes/client-node';

/** The name of the one Node the sandbox has. */
export const NODE_NAME = 'sandbox';

/** The default StorageClass, named as microk8s names it. */
export const STORAGE_CLASS = 'microk8s-hostpath';

/** The provisioner the node agent serves, as microk8s' hostpath one. */
export const PROVISIONER = 'microk8s.io/hostpath';

function loadConfig(kubeconfig: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
}

async function ignoreConflict(create: () => Promise<unknown>) {
  try {
    await create();
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** Creates the default StorageClass and the Node object. */
export async function applyClusterObjects(kubeconfig: string) {
  const kc = loadConfig(kubeconfig);
  const storage = kc.makeApiClient(k8s.StorageV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await ignoreConflict(() =>
    storage.createStorageClass({
      body: {
        metadata: {
          name: STORAGE_CLASS,
          annotations: {
            'storageclass.kubernetes.io/is-default-class': 'true',
          },
        },
        provisioner: PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      },
    }),
  );
  await ignoreConflict(() =>
    core.createNode({
      body: {
        metadata: {
          name: NODE_NAME,
          labels: {
            'kubernetes.io/hostname': NODE_NAME,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'node.kubernetes.io/microk8s-controlplane': 'microk8s-controlplane',
          },
        },
      },
    }),
  );
}

/** Whether the service-account controllers have set up namespace default. */
export async function defaultServiceAccountReady(kubeconfig: string) {
  const core = loadConfig(kubeconfig).makeApiClient(k8s.CoreV1Api);
  const sa = await core.readNamespacedServiceAccount({
    name: 'default',
    namespace: 'default',
  });
  return (sa.secrets ?? []).length > 0;
}
