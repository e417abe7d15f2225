import * as k8s from '@kubernetes/client-node';
import { waitUntil } from '../testing';

/** The two server families of the sandbox's images. */
export type ServerFamily = 'mysql' | 'mariadb';

const IMAGES: Record<ServerFamily, string> = {
  mysql: 'mysql:9.7',
  mariadb: 'mariadb:10.11',
};
const ADMIN: Record<ServerFamily, string> = {
  mysql: 'mysqladmin',
  mariadb: 'mariadb-admin',
};
// InnoDB initialisation with the catalogue's maximums takes about 50 s on
// 2 cores when idle, and longer under load.
const START_TIMEOUT_MS = 240_000;

/**
 * A MySQL or MariaDB server in a pod of the sandbox, started again and
 * again with another my.cnf (its ConfigMap, mounted at /etc/mysql/conf.d
 * as the product mounts it) on the same volume: the image's entrypoint
 * initialises the datadir at the first start, with the my.cnf of that
 * start, as at a pod's first start. Root has no password.
 */
export class PodMysqlServer {
  private pod?: k8s.V1Pod;

  private constructor(
    readonly family: ServerFamily,
    private readonly name: string,
    private readonly namespace: string,
    private readonly core: k8s.CoreV1Api,
  ) {}

  /** A server named `name` whose volume is made now; nothing runs yet. */
  static async create(options: {
    kc: k8s.KubeConfig;
    family: ServerFamily;
    name: string;
    namespace: string;
  }): Promise<PodMysqlServer> {
    const core = options.kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPersistentVolumeClaim({
      namespace: options.namespace,
      body: {
        metadata: { name: options.name },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '2Gi' } },
        },
      },
    });
    return new PodMysqlServer(
      options.family,
      options.name,
      options.namespace,
      core,
    );
  }

  /** The pod's address, once it runs. */
  get host(): string {
    return this.pod!.status!.podIP!;
  }

  readonly port = 3306;

  /**
   * Starts a pod with `myCnf` and resolves once the server answers; fails
   * with the server's error when it stops instead (the pod never restarts).
   */
  async start(myCnf: string): Promise<void> {
    const { name, namespace } = this;
    const body: k8s.V1ConfigMap = {
      metadata: { name },
      data: { 'my.cnf': myCnf },
    };
    await this.core
      .replaceNamespacedConfigMap({ name, namespace, body })
      .catch(() => this.core.createNamespacedConfigMap({ namespace, body }));
    await this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
          },
          containers: [
            {
              name: 'server',
              image: IMAGES[this.family],
              env: [{ name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: '1' }],
              terminationMessagePolicy: 'FallbackToLogsOnError',
              readinessProbe: {
                exec: {
                  command: [
                    'sh',
                    '-c',
                    `${ADMIN[this.family]} ping -h 127.0.0.1 --silent`,
                  ],
                },
                periodSeconds: 1,
              },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/mysql' },
                { name: 'config', mountPath: '/etc/mysql/conf.d' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: name } },
            { name: 'config', configMap: { name } },
          ],
        },
      },
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const pod = await this.core
        .readNamespacedPod({ name, namespace })
        .catch(() => undefined);
      const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
      if (terminated) {
        throw new Error(
          `the server stopped (exit ${terminated.exitCode}): ${
            terminated.message ?? ''
          }`,
        );
      }
      if (
        pod?.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        )
      ) {
        this.pod = pod;
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.family} server ${name} did not answer in ${
            START_TIMEOUT_MS / 1000
          } s`,
        );
      }
      await new Promise(r => setTimeout(r, 250));
    }
  }

  /** The end of the server's log, to explain a failure. */
  async lastErrors(): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({
        name: this.name,
        namespace: this.namespace,
        tailLines: 20,
      });
    } catch {
      return '';
    }
  }

  /** Deletes the pod and resolves once it is gone; the volume stays. */
  async stop(): Promise<void> {
    const { name, namespace } = this;
    try {
      await this.core.deleteNamespacedPod({ name, namespace });
    } catch {
      return;
    }
    await waitUntil(
      `pod ${name} to be gone`,
      async () => {
        try {
          await this.core.readNamespacedPod({ name, namespace });
          return undefined;
        } catch {
          return true;
        }
      },
      90_000,
    );
  }
}
