import {
  imageServerFamily,
  MY_CNF_KEY,
  MYSQL_CONFIG_HASH_ANNOTATION,
  MYSQL_LABELS,
  MYSQL_OWNER_ANNOTATION,
  mysqlLabels,
  renderMyCnf,
} from '@mysql-portal/plugin-mysql-common';
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import {
  MYSQL_INSTANCE_API,
  MYSQL_RENDERED_GENERATION_ANNOTATION,
  MysqlInstanceResource,
} from './mysqlInstance';

/**
 * Everything that defines one instance, already validated.
 *
 * @public
 */
export interface MysqlInstanceSpec {
  name: string;
  namespace: string;
  /** Entity ref of the owner, e.g. `group:default/team-a`. */
  owner: string;
  image: string;
  storage: { size: string; storageClass: string };
  resources: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  databaseName: string;
  username: string;
  /** Server variables for my.cnf, from the variable catalogue. */
  config: Record<string, string>;
}

/**
 * The objects of one instance, in the order they are created.
 *
 * @public
 */
export interface MysqlManifests {
  /** The instance's own resource; the other objects are its children. */
  instance: MysqlInstanceResource;
  secret: k8s.V1Secret;
  configMap: k8s.V1ConfigMap;
  headlessService: k8s.V1Service;
  service: k8s.V1Service;
  statefulSet: k8s.V1StatefulSet;
}

/**
 * Keys of the instance Secret. The passwords are generated when the Secret
 * is created and live nowhere else.
 *
 * @public
 */
export const MYSQL_SECRET_KEYS = {
  rootPassword: 'root-password',
  username: 'username',
  password: 'password',
  monitorUsername: 'monitor-username',
  monitorPassword: 'monitor-password',
  backupUsername: 'backup-username',
  backupPassword: 'backup-password',
  database: 'database',
} as const;

/**
 * The monitoring user the backend polls with. It can log in and nothing
 * more: VERSION(), global variables and global status need no privilege.
 *
 * @public
 */
export const MYSQL_MONITOR_USER = 'backstage_monitor';

/**
 * The user backup Jobs dump with. It may read the application database
 * and its routines, and nothing else; the backend creates it once the
 * server is up.
 *
 * @public
 */
export const MYSQL_BACKUP_USER = 'backstage_backup';

/** ConfigMap key of the entrypoint script that creates the monitoring user. */
const INIT_KEY = 'init-monitor.sh';

const INIT_SCRIPT = `# Creates the monitoring user for the Backstage MySQL plugin. It needs no
# privilege: VERSION(), global variables and global status are open to all.
# The MySQL and MariaDB images source this file and provide
# docker_process_sql, which connects as root without a password on any
# command line; elsewhere MYSQL_PWD does the same.
if ! type docker_process_sql >/dev/null 2>&1; then
  docker_process_sql() { MYSQL_PWD="\${MYSQL_ROOT_PASSWORD}" mysql -uroot "$@"; }
fi
docker_process_sql <<SQL
CREATE USER IF NOT EXISTS '\${MYSQL_MONITOR_USER}'@'%'
  IDENTIFIED BY '\${MYSQL_MONITOR_PASSWORD}' WITH MAX_USER_CONNECTIONS 5;
SQL
`;

/**
 * A short, stable hash of a rendered my.cnf, put on the pod template so that
 * any change to the configuration rolls the pod.
 *
 * @public
 */
export function configHash(myCnf: string): string {
  return createHash('sha256').update(myCnf).digest('hex').slice(0, 16);
}

/**
 * The env an image's server family needs besides the passwords: MariaDB's
 * images run `mariadb-upgrade` (after a backup of the system tables) when
 * they start on data of an older version only with `MARIADB_AUTO_UPGRADE`
 * set; MySQL upgrades its data itself. Put on the StatefulSet when it is
 * made and again with every new image, since an instance may change
 * family only by a restore.
 *
 * @public
 */
export function serverImageEnv(image: string): k8s.V1EnvVar[] {
  return imageServerFamily(image) === 'mariadb'
    ? [{ name: 'MARIADB_AUTO_UPGRADE', value: '1' }]
    : [];
}

/**
 * The readiness probe of an image's server: a ping with the admin tool the
 * image has. MariaDB's official images dropped the `mysql*` names in 11.0,
 * so `mysqladmin` is not there; `mariadb-admin` is, from 10.5 on. Put on the
 * StatefulSet when it is made and with every new image, as the env is.
 *
 * @public
 */
export function serverReadinessProbe(image: string): k8s.V1Probe {
  const admin =
    imageServerFamily(image) === 'mariadb' ? 'mariadb-admin' : 'mysqladmin';
  return {
    exec: {
      command: ['sh', '-c', `${admin} ping -h 127.0.0.1 --silent`],
    },
    periodSeconds: 5,
    timeoutSeconds: 5,
    failureThreshold: 3,
  };
}

function secretEnv(name: string, secret: string, key: string): k8s.V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * Builds the Secret (without passwords), ConfigMap, Services and StatefulSet
 * of an instance. Every object carries the shared labels and the owner.
 *
 * @public
 */
export function buildMysqlManifests(spec: MysqlInstanceSpec): MysqlManifests {
  const { name, namespace } = spec;
  const labels = mysqlLabels(name);
  // With managed-by in the selector, a Helm release of the same name in
  // the namespace can never select our pods, nor we its.
  const selector = {
    [MYSQL_LABELS.name]: labels[MYSQL_LABELS.name],
    [MYSQL_LABELS.instance]: name,
    [MYSQL_LABELS.managedBy]: labels[MYSQL_LABELS.managedBy],
  };
  const metadata = (objectName: string): k8s.V1ObjectMeta => ({
    name: objectName,
    namespace,
    labels: { ...labels },
    annotations: { [MYSQL_OWNER_ANNOTATION]: spec.owner },
  });
  const myCnf = renderMyCnf(spec.config);
  const keys = MYSQL_SECRET_KEYS;
  const headlessName = `${name}-headless`;

  return {
    instance: {
      apiVersion: `${MYSQL_INSTANCE_API.group}/${MYSQL_INSTANCE_API.version}`,
      kind: MYSQL_INSTANCE_API.kind,
      metadata: metadata(name),
      spec: {
        owner: spec.owner,
        image: spec.image,
        config: { ...spec.config },
        ...(Object.keys(spec.resources).length > 0
          ? { resources: spec.resources }
          : {}),
        storage: {
          size: spec.storage.size,
          ...(spec.storage.storageClass
            ? { storageClassName: spec.storage.storageClass }
            : {}),
        },
        database: { name: spec.databaseName, user: spec.username },
      },
    },
    secret: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(name),
      type: 'Opaque',
      stringData: {
        [keys.username]: spec.username,
        [keys.monitorUsername]: MYSQL_MONITOR_USER,
        [keys.backupUsername]: MYSQL_BACKUP_USER,
        [keys.database]: spec.databaseName,
      },
    },
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      // Rendered from the MysqlInstance made just before, whose generation is 1.
      metadata: {
        ...metadata(name),
        annotations: {
          ...metadata(name).annotations,
          [MYSQL_RENDERED_GENERATION_ANNOTATION]: '1',
        },
      },
      data: { [MY_CNF_KEY]: myCnf, [INIT_KEY]: INIT_SCRIPT },
    },
    headlessService: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(headlessName),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector,
        ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql' }],
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(name),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql' }],
      },
    },
    statefulSet: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: metadata(name),
      spec: {
        replicas: 1,
        serviceName: headlessName,
        // With OrderedReady a pod that never becomes Ready blocks every
        // later template change, so a broken configuration could not be
        // rolled back. One replica loses nothing with Parallel.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        // The data outlives the StatefulSet: deleting or scaling it never
        // deletes a volume (Kubernetes 1.27+; older ones always retain).
        persistentVolumeClaimRetentionPolicy: {
          whenDeleted: 'Retain',
          whenScaled: 'Retain',
        },
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...labels },
            annotations: {
              [MYSQL_OWNER_ANNOTATION]: spec.owner,
              [MYSQL_CONFIG_HASH_ANNOTATION]: configHash(myCnf),
            },
          },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              runAsGroup: 999,
              fsGroup: 999,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: 'mysql',
                image: spec.image,
                env: [
                  secretEnv('MYSQL_ROOT_PASSWORD', name, keys.rootPassword),
                  secretEnv('MYSQL_DATABASE', name, keys.database),
                  secretEnv('MYSQL_USER', name, keys.username),
                  secretEnv('MYSQL_PASSWORD', name, keys.password),
                  secretEnv('MYSQL_MONITOR_USER', name, keys.monitorUsername),
                  secretEnv(
                    'MYSQL_MONITOR_PASSWORD',
                    name,
                    keys.monitorPassword,
                  ),
                  ...serverImageEnv(spec.image),
                ],
                ports: [{ name: 'mysql', containerPort: 3306 }],
                // The server's own error is the reason a failed start shows.
                terminationMessagePolicy: 'FallbackToLogsOnError',
                // InnoDB crash recovery can take minutes before the server
                // listens (up to 10 here); until then liveness waits.
                startupProbe: {
                  tcpSocket: { port: 'mysql' },
                  periodSeconds: 2,
                  failureThreshold: 300,
                },
                readinessProbe: serverReadinessProbe(spec.image),
                livenessProbe: {
                  tcpSocket: { port: 'mysql' },
                  periodSeconds: 10,
                  failureThreshold: 6,
                },
                resources: spec.resources,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/mysql' },
                  {
                    name: 'config',
                    mountPath: '/etc/mysql/conf.d',
                    readOnly: true,
                  },
                  {
                    name: 'init',
                    mountPath: '/docker-entrypoint-initdb.d',
                    readOnly: true,
                  },
                ],
              },
            ],
            volumes: [
              {
                name: 'config',
                configMap: {
                  name,
                  items: [{ key: MY_CNF_KEY, path: 'backstage.cnf' }],
                },
              },
              {
                name: 'init',
                configMap: {
                  name,
                  items: [{ key: INIT_KEY, path: '10-monitor.sh' }],
                },
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { ...labels } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: spec.storage.storageClass,
              resources: { requests: { storage: spec.storage.size } },
            },
          },
        ],
      },
    },
  };
}
