import {
  MYSQL_LABELS,
  MYSQL_MANAGED_BY,
  imageServerFamily,
} from '@mysql-portal/plugin-mysql-common';
import { MYSQL_SECRET_KEYS } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';

/** Label on backup and restore Jobs and their pods: the instance they serve. */
export const BACKUP_OF_LABEL = 'mysql.backstage.io/backup-of';

/** Where an instance's dumps go and how the Job reaches them. */
export type BackupDestination =
  | { kind: 'pvc'; claimName: string }
  | {
      kind: 's3';
      /** `<endpoint>/<bucket>/<prefix>`: dumps are `<url>/<id>.sql.gz`. */
      url: string;
      region: string;
      credentialsSecret: string;
      uploadImage: string;
    };

/** The instance a Job works on. */
export interface JobInstance {
  name: string;
  namespace: string;
  image: string;
}

const S3_KEYS = {
  accessKeyId: 'access-key-id',
  secretAccessKey: 'secret-access-key',
};

/** Jobs are kept a day on clusters that honour it; the backend deletes them sooner. */
const TTL_SECONDS = 86_400;

function fromSecret(env: string, secret: string, key: string): k8s.V1EnvVar {
  return { name: env, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * MySQL 9 runs with GTIDs, and a dump restored into another server must not
 * carry them; without `--no-tablespaces` the dump would need PROCESS.
 */
function dumpCommand(image: string) {
  return imageServerFamily(image) === 'mariadb'
    ? 'mariadb-dump --no-tablespaces'
    : 'mysqldump --set-gtid-purged=OFF --no-tablespaces';
}

function clientCommand(image: string) {
  return imageServerFamily(image) === 'mariadb' ? 'mariadb' : 'mysql';
}

// curl 8 sends x-amz-content-sha256 for s3 by itself; older ones do not,
// and S3 refuses a request without it.
const S3_CURL =
  'curl --fail-with-body --silent --show-error --aws-sigv4 "aws:amz:$S3_REGION:s3" ' +
  '--user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"';

function s3Env(destination: BackupDestination & { kind: 's3' }) {
  return [
    { name: 'S3_URL', value: destination.url },
    { name: 'S3_REGION', value: destination.region },
    fromSecret(
      'S3_ACCESS_KEY_ID',
      destination.credentialsSecret,
      S3_KEYS.accessKeyId,
    ),
    fromSecret(
      'S3_SECRET_ACCESS_KEY',
      destination.credentialsSecret,
      S3_KEYS.secretAccessKey,
    ),
  ];
}

function job(
  name: string,
  inst: JobInstance,
  spec: k8s.V1PodSpec,
  timeoutSeconds: number,
): k8s.V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: inst.namespace,
      labels: {
        [MYSQL_LABELS.managedBy]: MYSQL_MANAGED_BY,
        [BACKUP_OF_LABEL]: inst.name,
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: timeoutSeconds,
      ttlSecondsAfterFinished: TTL_SECONDS,
      template: {
        // Not the instance's labels: the backend's pod watch would take
        // these pods for the server's.
        metadata: { labels: { [BACKUP_OF_LABEL]: inst.name } },
        spec: {
          restartPolicy: 'Never',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...spec,
        },
      },
    },
  };
}

function container(
  name: string,
  image: string,
  script: string,
  env: k8s.V1EnvVar[],
  volumeMounts: k8s.V1VolumeMount[],
): k8s.V1Container {
  return {
    name,
    image,
    command: image.includes('curl')
      ? ['sh', '-c', script]
      : ['bash', '-c', script],
    env,
    volumeMounts,
    // The tool's own error is the reason a failed backup shows.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/** A Job name that fits the 63 characters of the `job-name` label. */
export function jobName(
  instance: string,
  kind: 'backup' | 'restore',
  id: string,
) {
  const suffix = `-${kind}-${id}`;
  return `${instance.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The Job that dumps the instance's database with the dump tool of its own
 * image, as the backup user, and stores it: straight into the backup claim,
 * or through an emptyDir to S3 with curl. After the dump is stored it
 * removes the dumps named in `prune` (retention) and writes the dump's
 * size as its termination message.
 */
export function buildBackupJob(options: {
  inst: JobInstance;
  id: string;
  destination: BackupDestination;
  prune: string[];
  timeoutSeconds: number;
}): k8s.V1Job {
  const { inst, id, destination } = options;
  const file = `${id}.sql.gz`;
  const keys = MYSQL_SECRET_KEYS;
  const dumpEnv: k8s.V1EnvVar[] = [
    {
      name: 'MYSQL_HOST',
      value: `${inst.name}.${inst.namespace}.svc.cluster.local`,
    },
    fromSecret('MYSQL_USER', inst.name, keys.backupUsername),
    fromSecret('MYSQL_PWD', inst.name, keys.backupPassword),
    fromSecret('MYSQL_DATABASE', inst.name, keys.database),
    { name: 'PRUNE', value: options.prune.join(' ') },
  ];
  const dump =
    `${dumpCommand(inst.image)} --host="$MYSQL_HOST" --user="$MYSQL_USER" ` +
    '--single-transaction --routines --events --triggers "$MYSQL_DATABASE" | gzip';
  const name = jobName(inst.name, 'backup', id);
  if (destination.kind === 'pvc') {
    const script = [
      'set -eo pipefail',
      `${dump} > /backups/${file}.part`,
      `mv /backups/${file}.part /backups/${file}`,
      'for old in $PRUNE; do rm -f "/backups/$old.sql.gz"; done',
      `wc -c < /backups/${file} > /dev/termination-log`,
    ].join('\n');
    return job(
      name,
      inst,
      {
        containers: [
          container('dump', inst.image, script, dumpEnv, [
            { name: 'backups', mountPath: '/backups' },
          ]),
        ],
        volumes: [
          {
            name: 'backups',
            persistentVolumeClaim: { claimName: destination.claimName },
          },
        ],
      },
      options.timeoutSeconds,
    );
  }
  const upload = [
    'set -e',
    `${S3_CURL} -T /work/${file} "$S3_URL/${file}"`,
    // A dump that stays because its removal failed costs space, not data.
    `for old in $PRUNE; do ${S3_CURL} -X DELETE "$S3_URL/$old.sql.gz" || echo "could not remove $old" >&2; done`,
    `wc -c < /work/${file} > /dev/termination-log`,
  ].join('\n');
  const work = [{ name: 'work', mountPath: '/work' }];
  return job(
    name,
    inst,
    {
      initContainers: [
        container(
          'dump',
          inst.image,
          `set -eo pipefail\n${dump} > /work/${file}`,
          dumpEnv,
          work,
        ),
      ],
      containers: [
        container(
          'upload',
          destination.uploadImage,
          upload,
          [
            ...s3Env(destination),
            { name: 'PRUNE', value: options.prune.join(' ') },
          ],
          work,
        ),
      ],
      volumes: [{ name: 'work', emptyDir: {} }],
    },
    options.timeoutSeconds,
  );
}

/**
 * The Job that loads a dump into a new instance's database as its root
 * user, with its own image's client: from the source's backup claim (same
 * namespace), or fetched from S3 first.
 */
export function buildRestoreJob(options: {
  inst: JobInstance;
  id: string;
  backupId: string;
  destination: BackupDestination;
  timeoutSeconds: number;
}): k8s.V1Job {
  const { inst, destination } = options;
  const file = `${options.backupId}.sql.gz`;
  const keys = MYSQL_SECRET_KEYS;
  const env: k8s.V1EnvVar[] = [
    {
      name: 'MYSQL_HOST',
      value: `${inst.name}.${inst.namespace}.svc.cluster.local`,
    },
    fromSecret('MYSQL_PWD', inst.name, keys.rootPassword),
    fromSecret('MYSQL_DATABASE', inst.name, keys.database),
  ];
  const load = (dir: string) =>
    `set -eo pipefail\ngunzip -c ${dir}/${file} | ${clientCommand(
      inst.image,
    )} ` + '--host="$MYSQL_HOST" --user=root "$MYSQL_DATABASE"';
  const name = jobName(inst.name, 'restore', options.id);
  if (destination.kind === 'pvc') {
    return job(
      name,
      inst,
      {
        containers: [
          container('restore', inst.image, load('/backups'), env, [
            { name: 'backups', mountPath: '/backups', readOnly: true },
          ]),
        ],
        volumes: [
          {
            name: 'backups',
            persistentVolumeClaim: {
              claimName: destination.claimName,
              readOnly: true,
            },
          },
        ],
      },
      options.timeoutSeconds,
    );
  }
  const work = [{ name: 'work', mountPath: '/work' }];
  return job(
    name,
    inst,
    {
      initContainers: [
        container(
          'fetch',
          destination.uploadImage,
          `set -e\n${S3_CURL} -o /work/${file} "$S3_URL/${file}"`,
          s3Env(destination),
          work,
        ),
      ],
      containers: [container('restore', inst.image, load('/work'), env, work)],
      volumes: [{ name: 'work', emptyDir: {} }],
    },
    options.timeoutSeconds,
  );
}
