import {
  generatePassword,
  MYSQL_BACKUP_USER,
  MYSQL_SECRET_KEYS,
  MysqlClusters,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from '../service/InstanceCache';
import { queryServer } from '../service/queryServer';
import { serverAddress } from '../service/serverAccess';
import { MERGE_PATCH } from '../service/kubernetesWrites';

const decode = (secret: k8s.V1Secret, key: string) =>
  Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');

/**
 * Makes sure the instance has its backup user: its name and password in
 * the Secret (instances made before backups existed get them now), and the
 * user on the server with just what a consistent dump of the application
 * database needs. Idempotent, so it runs before every backup; it connects
 * as root, whose password it reads from the Secret and never keeps.
 */
export async function ensureBackupUser(
  clusters: MysqlClusters,
  inst: InstanceObjects,
): Promise<void> {
  const { core } = clusters.client(inst.cluster);
  const keys = MYSQL_SECRET_KEYS;
  let secret = await core.readNamespacedSecret({
    name: inst.name,
    namespace: inst.namespace,
  });
  if (!decode(secret, keys.backupPassword)) {
    secret = await core.patchNamespacedSecret(
      {
        name: inst.name,
        namespace: inst.namespace,
        body: {
          // A concurrent writer makes this a 409 instead of two passwords.
          metadata: { resourceVersion: secret.metadata?.resourceVersion },
          stringData: {
            [keys.backupUsername]: MYSQL_BACKUP_USER,
            [keys.backupPassword]: generatePassword(),
          },
        },
      },
      MERGE_PATCH,
    );
  }
  const database = decode(secret, keys.database);
  if (!database) {
    throw new Error(
      `Secret ${inst.namespace}/${inst.name} has no "${keys.database}" entry, so there is no database to back up`,
    );
  }
  const user = decode(secret, keys.backupUsername) || MYSQL_BACKUP_USER;
  const password = decode(secret, keys.backupPassword);
  const quoted = `\`${database.replace(/`/g, '``')}\``;
  const [versionRows] = await queryServer({
    host: serverAddress(clusters, inst),
    user: 'root',
    password: decode(secret, keys.rootPassword),
    timeoutMs: 10_000,
    queries: [{ sql: 'SELECT VERSION() AS version' }],
  });
  const mariadb = /mariadb/i.test(
    (versionRows as { version: string }[])[0]?.version ?? '',
  );
  await queryServer({
    host: serverAddress(clusters, inst),
    user: 'root',
    password: decode(secret, keys.rootPassword),
    timeoutMs: 10_000,
    queries: [
      {
        sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?",
        values: [user, password],
      },
      { sql: "ALTER USER ?@'%' IDENTIFIED BY ?", values: [user, password] },
      {
        sql: `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${quoted}.* TO ?@'%'`,
        values: [user],
      },
      // Routines of other definers are visible to the dump only with these.
      mariadb
        ? { sql: "GRANT SELECT ON mysql.proc TO ?@'%'", values: [user] }
        : { sql: "GRANT SHOW_ROUTINE ON *.* TO ?@'%'", values: [user] },
    ],
  });
}
