import * as k8s from '@kubernetes/client-node';
import { COREFILE, NodeAddresses } from './config';
import { COREDNS_VERSION, LOCAL_PATH_VERSION } from './binaries';

/** The default StorageClass, named as microk8s names it. */
export const STORAGE_CLASS = 'microk8s-hostpath';
/** The provisioner name of that class, as microk8s names it. */
export const PROVISIONER = 'microk8s.io/hostpath';

/** The images of the add-ons, built from their Go modules (static binaries). */
export const COREDNS_IMAGE = `sandbox.local/coredns:${COREDNS_VERSION}`;
export const LOCAL_PATH_IMAGE = `sandbox.local/local-path-provisioner:v${LOCAL_PATH_VERSION}`;

const restrictedContainer = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * CoreDNS as clusters run it: a Deployment in kube-system behind the
 * `kube-dns` Service at the address the kubelet hands pods.
 */
function coreDns(a: NodeAddresses): k8s.KubernetesObject[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const metadata = (name: string) => ({
    name,
    namespace: 'kube-system',
    labels,
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata('coredns'),
    } as k8s.V1ServiceAccount,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['endpoints', 'services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        {
          apiGroups: ['discovery.k8s.io'],
          resources: ['endpointslices'],
          verbs: ['list', 'watch'],
        },
      ],
    } as k8s.V1ClusterRole,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'system:coredns',
      },
      subjects: [
        { kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' },
      ],
    } as k8s.V1ClusterRoleBinding,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('coredns'),
      data: { Corefile: COREFILE },
    } as k8s.V1ConfigMap,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata('coredns'),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
              // Port 53 as a non-root user, without file capabilities on the
              // binary (a safe sysctl: it is the pod's network namespace's).
              sysctls: [
                { name: 'net.ipv4.ip_unprivileged_port_start', value: '53' },
              ],
            },
            containers: [
              {
                name: 'coredns',
                image: COREDNS_IMAGE,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                resources: {
                  requests: { cpu: '50m', memory: '32Mi' },
                  limits: { memory: '128Mi' },
                },
                securityContext: restrictedContainer,
                readinessProbe: {
                  httpGet: { path: '/ready', port: 8181 },
                  periodSeconds: 2,
                },
                livenessProbe: {
                  httpGet: { path: '/health', port: 8080 },
                  initialDelaySeconds: 10,
                },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/coredns', readOnly: true },
                ],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    } as k8s.V1Deployment,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        ...metadata('kube-dns'),
        labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        selector: labels,
        clusterIP: a.dnsIp,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    } as k8s.V1Service,
  ];
}

/**
 * The `microk8s-hostpath` class served by Rancher's local-path
 * provisioner (k3s' default): a folder per volume under `volumesDir` on
 * the node, made world-writable as microk8s' own provisioner makes it, by
 * a helper pod in the curl image (any image with a shell would do).
 * Volumes bind when their first pod is scheduled (WaitForFirstConsumer),
 * where microk8s binds at once: this provisioner must know the node.
 */
function localPath(volumesDir: string, helperImage: string) {
  const namespace = 'local-path-storage';
  const labels = { app: 'local-path-provisioner' };
  const setup = `#!/bin/sh
set -eu
mkdir -m 0777 -p "$VOL_DIR"
`;
  const teardown = `#!/bin/sh
set -eu
rm -rf "$VOL_DIR"
`;
  const helperPod = `apiVersion: v1
kind: Pod
metadata:
  name: helper-pod
spec:
  priorityClassName: system-node-critical
  securityContext:
    runAsUser: 0
  containers:
  - name: helper-pod
    image: ${helperImage}
    imagePullPolicy: IfNotPresent
`;
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    } as k8s.V1Namespace,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      // The name the provisioner gives its helper pods, as upstream's manifest.
      metadata: { name: 'local-path-provisioner-service-account', namespace },
    } as k8s.V1ServiceAccount,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'local-path-provisioner' },
      rules: [
        {
          apiGroups: [''],
          resources: [
            'nodes',
            'persistentvolumeclaims',
            'configmaps',
            'pods',
            'pods/log',
          ],
          verbs: ['get', 'list', 'watch'],
        },
        {
          apiGroups: [''],
          resources: ['persistentvolumes'],
          verbs: [
            'get',
            'list',
            'watch',
            'create',
            'patch',
            'update',
            'delete',
          ],
        },
        {
          apiGroups: [''],
          resources: ['events'],
          verbs: ['create', 'patch'],
        },
        {
          apiGroups: [''],
          resources: ['pods'],
          verbs: ['create', 'delete'],
        },
        {
          apiGroups: ['storage.k8s.io'],
          resources: ['storageclasses'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    } as k8s.V1ClusterRole,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-path-provisioner' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'local-path-provisioner',
      },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: 'local-path-provisioner-service-account',
          namespace,
        },
      ],
    } as k8s.V1ClusterRoleBinding,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'local-path-config', namespace },
      data: {
        'config.json': JSON.stringify({
          nodePathMap: [
            {
              node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES',
              paths: [volumesDir],
            },
          ],
        }),
        setup,
        teardown,
        'helperPod.yaml': helperPod,
      },
    } as k8s.V1ConfigMap,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'local-path-provisioner', namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'local-path-provisioner-service-account',
            priorityClassName: 'system-node-critical',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'local-path-provisioner',
                image: LOCAL_PATH_IMAGE,
                command: [
                  'local-path-provisioner',
                  'start',
                  '--config',
                  '/etc/config/config.json',
                  '--provisioner-name',
                  PROVISIONER,
                ],
                env: [
                  {
                    name: 'POD_NAMESPACE',
                    valueFrom: {
                      fieldRef: { fieldPath: 'metadata.namespace' },
                    },
                  },
                  { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
                ],
                securityContext: restrictedContainer,
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/config/', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'local-path-config' } },
            ],
          },
        },
      },
    } as k8s.V1Deployment,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: PROVISIONER,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    } as k8s.V1StorageClass,
  ];
}

/** The cluster add-ons the sandbox applies after `up`: DNS and storage. */
export function addonObjects(options: {
  addresses: NodeAddresses;
  volumesDir: string;
  helperImage: string;
}): k8s.KubernetesObject[] {
  return [
    ...coreDns(options.addresses),
    ...localPath(options.volumesDir, options.helperImage),
  ];
}

/** Creates each object, leaving one that exists as it is. */
export async function applyObjects(
  kc: k8s.KubeConfig,
  objects: k8s.KubernetesObject[],
): Promise<void> {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    try {
      await client.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}
