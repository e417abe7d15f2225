import { buildBackupJob, buildRestoreJob, jobName } from './backupJob';

const inst = { name: 'orders-db', namespace: 'shop', image: 'mysql:9.7' };
const s3 = {
  kind: 's3' as const,
  url: 'http://minio:9000/backups/sandbox/shop/orders-db',
  region: 'us-east-1',
  credentialsSecret: 'backup-s3',
  uploadImage: 'curlimages/curl:8.11.1',
};

describe('backup Jobs', () => {
  it('fits Job names into the 63 characters of the job-name label', () => {
    expect(jobName('orders-db', 'backup', '20261201030000-a1b2')).toBe(
      'orders-db-backup-20261201030000-a1b2',
    );
    const long = jobName('a'.repeat(40), 'restore', '20261201030000-a1b2');
    expect(long).toHaveLength(63);
    expect(long.endsWith('-restore-20261201030000-a1b2')).toBe(true);
  });

  it('dumps into the backup claim with the image of the instance, as the backup user, then prunes', () => {
    const job = buildBackupJob({
      inst,
      id: 'b1',
      destination: { kind: 'pvc', claimName: 'orders-db-backups' },
      prune: ['old1', 'old2'],
      timeoutSeconds: 600,
    });
    const pod = job.spec!.template.spec!;
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
    });
    // Never the instance's labels: the backend's pod watch would take the pod for the server.
    expect(job.spec!.template.metadata!.labels).toEqual({
      'mysql.backstage.io/backup-of': 'orders-db',
    });
    expect(pod.initContainers).toBeUndefined();
    const [dump] = pod.containers;
    expect(dump.image).toBe('mysql:9.7');
    expect(dump.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    const script = dump.command![2];
    expect(script).toContain('set -eo pipefail');
    expect(script).toContain(
      'mysqldump --set-gtid-purged=OFF --no-tablespaces',
    );
    expect(script).toContain(
      '--single-transaction --routines --events --triggers',
    );
    expect(script).toContain('> /backups/b1.sql.gz.part');
    expect(script).toContain(
      'wc -c < /backups/b1.sql.gz > /dev/termination-log',
    );
    expect(dump.env).toEqual(
      expect.arrayContaining([
        { name: 'PRUNE', value: 'old1 old2' },
        {
          name: 'MYSQL_PWD',
          valueFrom: {
            secretKeyRef: { name: 'orders-db', key: 'backup-password' },
          },
        },
      ]),
    );
    expect(JSON.stringify(job)).not.toContain('root-password');
    expect(pod.volumes).toEqual([
      {
        name: 'backups',
        persistentVolumeClaim: { claimName: 'orders-db-backups' },
      },
    ]);
  });

  it('dumps MariaDB with mariadb-dump, and uploads to S3 with curl after the dump', () => {
    const job = buildBackupJob({
      inst: { ...inst, image: 'mariadb:11.8' },
      id: 'b2',
      destination: s3,
      prune: [],
      timeoutSeconds: 600,
    });
    const pod = job.spec!.template.spec!;
    expect(pod.initContainers![0].command![2]).toContain(
      'mariadb-dump --no-tablespaces',
    );
    expect(pod.initContainers![0].command![2]).not.toContain('gtid');
    const upload = pod.containers[0];
    expect(upload.image).toBe('curlimages/curl:8.11.1');
    expect(upload.command!.slice(0, 2)).toEqual(['sh', '-c']);
    expect(upload.command![2]).toContain('--aws-sigv4 "aws:amz:$S3_REGION:s3"');
    expect(upload.command![2]).toContain(
      '-T /work/b2.sql.gz "$S3_URL/b2.sql.gz"',
    );
    expect(upload.env).toEqual(
      expect.arrayContaining([
        { name: 'S3_URL', value: s3.url },
        {
          name: 'S3_SECRET_ACCESS_KEY',
          valueFrom: {
            secretKeyRef: { name: 'backup-s3', key: 'secret-access-key' },
          },
        },
      ]),
    );
    expect(pod.volumes).toEqual([{ name: 'work', emptyDir: {} }]);
  });

  it('restores into the new instance as its root user, from the claim read-only or fetched from S3', () => {
    const fromClaim = buildRestoreJob({
      inst: { ...inst, name: 'copy' },
      id: 'r1',
      backupId: 'b1',
      destination: { kind: 'pvc', claimName: 'orders-db-backups' },
      timeoutSeconds: 600,
    });
    const restore = fromClaim.spec!.template.spec!.containers[0];
    expect(restore.command![2]).toContain(
      'gunzip -c /backups/b1.sql.gz | mysql --host="$MYSQL_HOST" --user=root "$MYSQL_DATABASE"',
    );
    expect(restore.env).toEqual(
      expect.arrayContaining([
        { name: 'MYSQL_HOST', value: 'copy.shop.svc.cluster.local' },
        {
          name: 'MYSQL_PWD',
          valueFrom: { secretKeyRef: { name: 'copy', key: 'root-password' } },
        },
      ]),
    );
    expect(fromClaim.spec!.template.spec!.volumes![0]).toEqual({
      name: 'backups',
      persistentVolumeClaim: { claimName: 'orders-db-backups', readOnly: true },
    });

    const fromS3 = buildRestoreJob({
      inst: { ...inst, name: 'copy', image: 'mariadb:11.8' },
      id: 'r2',
      backupId: 'b2',
      destination: s3,
      timeoutSeconds: 600,
    });
    const pod = fromS3.spec!.template.spec!;
    expect(pod.initContainers![0].command![2]).toContain(
      '-o /work/b2.sql.gz "$S3_URL/b2.sql.gz"',
    );
    expect(pod.containers[0].command![2]).toContain('| mariadb --host=');
  });
});
