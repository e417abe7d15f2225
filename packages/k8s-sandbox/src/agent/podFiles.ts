import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { expand } from './expansion';

/**
 * The pod fields a container's env can name in `valueFrom.fieldRef`, by
 * field path, as the kubelet fills them in (`status.podIP` is the address
 * the agent gave the pod).
 */
export function podFields(
  pod: k8s.V1Pod,
  podIP: string | undefined,
): Record<string, string> {
  const meta = pod.metadata ?? {};
  const fields: Record<string, string> = {
    'metadata.name': meta.name ?? '',
    'metadata.namespace': meta.namespace ?? '',
    'metadata.uid': meta.uid ?? '',
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'status.hostIP': '127.0.0.1',
    'status.podIP': podIP ?? '',
    'status.podIPs': podIP ?? '',
  };
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    fields[`metadata.labels['${k}']`] = v;
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    fields[`metadata.annotations['${k}']`] = v;
  }
  return fields;
}

/**
 * Resolves a container's env the way the kubelet does: `envFrom`, then each
 * `env` entry in order, a `value` with its `$(NAME)` references to earlier
 * entries expanded, `valueFrom` from a `secretKeyRef`, `configMapKeyRef` or
 * (given `fields`, see {@link podFields}) `fieldRef`.
 */
export async function resolveEnv(
  core: k8s.CoreV1Api,
  namespace: string,
  container: k8s.V1Container,
  fields?: Record<string, string>,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    let data: Record<string, string> | undefined;
    if (source.secretRef) {
      const secret = await core.readNamespacedSecret({
        name: source.secretRef.name!,
        namespace,
      });
      data = decode(secret.data);
    } else if (source.configMapRef) {
      const cm = await core.readNamespacedConfigMap({
        name: source.configMapRef.name!,
        namespace,
      });
      data = cm.data;
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      env[`${source.prefix ?? ''}${k}`] = v;
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value) {
      env[variable.name] = expand(variable.value, name => env[name]);
      continue;
    }
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath && fields?.[fieldPath] !== undefined) {
      env[variable.name] = fields[fieldPath];
      continue;
    }
    if (!variable.valueFrom) {
      env[variable.name] = variable.value ?? '';
      continue;
    }
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    if (secretRef) {
      const secret = await core.readNamespacedSecret({
        name: secretRef.name!,
        namespace,
      });
      const value = decode(secret.data)[secretRef.key];
      if (value === undefined && !secretRef.optional) {
        throw new Error(
          `couldn't find key ${secretRef.key} in Secret ${namespace}/${secretRef.name}`,
        );
      }
      if (value !== undefined) env[variable.name] = value;
    } else if (configMapRef) {
      const cm = await core.readNamespacedConfigMap({
        name: configMapRef.name!,
        namespace,
      });
      const value = cm.data?.[configMapRef.key];
      if (value === undefined && !configMapRef.optional) {
        throw new Error(
          `couldn't find key ${configMapRef.key} in ConfigMap ${namespace}/${configMapRef.name}`,
        );
      }
      if (value !== undefined) env[variable.name] = value;
    }
  }
  return env;
}

function decode(
  data: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );
}

async function volumeFiles(
  core: k8s.CoreV1Api,
  namespace: string,
  volume: k8s.V1Volume,
): Promise<Record<string, string> | undefined> {
  let data: Record<string, string> | undefined;
  let items: k8s.V1KeyToPath[] | undefined;
  if (volume.configMap) {
    const cm = await core.readNamespacedConfigMap({
      name: volume.configMap.name!,
      namespace,
    });
    data = cm.data ?? {};
    items = volume.configMap.items;
  } else if (volume.secret) {
    const secret = await core.readNamespacedSecret({
      name: volume.secret.secretName!,
      namespace,
    });
    data = decode(secret.data);
    items = volume.secret.items;
  } else {
    return undefined;
  }
  if (!items) return data;
  return Object.fromEntries(
    items
      .filter(i => data![i.key] !== undefined)
      .map(i => [i.path, data![i.key]]),
  );
}

/**
 * Writes the container's ConfigMap and Secret mounts under `rootfs`, where
 * the container would see them, freshly on every start.
 */
export async function writeMountedFiles(
  core: k8s.CoreV1Api,
  pod: k8s.V1Pod,
  container: k8s.V1Container,
  rootfs: string,
) {
  fs.rmSync(rootfs, { recursive: true, force: true });
  const namespace = pod.metadata!.namespace!;
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.spec!.volumes?.find(v => v.name === mount.name);
    if (!volume) continue;
    const files = await volumeFiles(core, namespace, volume);
    if (!files) continue;
    const target = path.join(rootfs, mount.mountPath);
    if (mount.subPath) {
      if (files[mount.subPath] === undefined) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, files[mount.subPath]);
      continue;
    }
    for (const [file, content] of Object.entries(files)) {
      const dest = path.join(target, file);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, content);
    }
  }
}

/**
 * The host folder behind the container's mount of `mountPath`: the hostPath
 * PV bound to a PVC, a hostPath volume, or an emptyDir under the pod's folder.
 */
export async function hostPathFor(
  core: k8s.CoreV1Api,
  pod: k8s.V1Pod,
  container: k8s.V1Container,
  mountPath: string,
  podDir: string,
): Promise<string> {
  const mount = container.volumeMounts?.find(
    m => path.posix.normalize(m.mountPath) === mountPath,
  );
  const volume = mount && pod.spec!.volumes?.find(v => v.name === mount.name);
  let base: string;
  if (volume?.persistentVolumeClaim) {
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      name: volume.persistentVolumeClaim.claimName,
      namespace: pod.metadata!.namespace!,
    });
    if (!pvc.spec?.volumeName) {
      throw new Error(
        `persistentvolumeclaim "${pvc.metadata?.name}" is not bound`,
      );
    }
    const pv = await core.readPersistentVolume({ name: pvc.spec.volumeName });
    const hostPath = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!hostPath)
      throw new Error(`persistentvolume ${pv.metadata?.name} has no host path`);
    base = hostPath;
  } else if (volume?.hostPath) {
    base = volume.hostPath.path;
  } else {
    base = path.join(
      podDir,
      'volumes',
      volume?.name ?? mountPath.replace(/\//g, '_'),
    );
  }
  const dir = mount?.subPath ? path.join(base, mount.subPath) : base;
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The variables the official images also read from a file (`<name>_FILE`). */
const FILE_ENV = [
  'MYSQL_ROOT_PASSWORD',
  'MYSQL_DATABASE',
  'MYSQL_USER',
  'MYSQL_PASSWORD',
  'MYSQL_ROOT_HOST',
  'MARIADB_ROOT_PASSWORD',
  'MARIADB_DATABASE',
  'MARIADB_USER',
  'MARIADB_PASSWORD',
  'MARIADB_ROOT_HOST',
];

/**
 * Resolves `MYSQL_ROOT_PASSWORD_FILE` and its siblings as the images'
 * `file_env` does: the value is the content of that file as the container
 * sees it (under `rootfs` here), and setting both forms is an error.
 */
export function resolveFileEnv(
  env: Record<string, string>,
  rootfs: string,
): Record<string, string> {
  const resolved = { ...env };
  for (const name of FILE_ENV) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (env[name] !== undefined) {
      throw new Error(
        `both ${name} and ${name}_FILE are set (but are exclusive)`,
      );
    }
    const onHost = path.join(rootfs, file);
    if (!fs.existsSync(onHost)) {
      throw new Error(`${name}_FILE: ${file} does not exist in the container`);
    }
    resolved[name] = fs.readFileSync(onHost, 'utf8').replace(/\n+$/, '');
    delete resolved[`${name}_FILE`];
  }
  return resolved;
}
