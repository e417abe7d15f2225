import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What an image runs, as an image's `config` field says it (OCI image spec). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
}

function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${
        result.stderr || result.stdout || result.error
      }`,
    );
  }
  return result.stdout;
}

/**
 * Packs a root filesystem into a one-layer OCI image archive named `name`
 * (for example `docker.io/library/mysql:9.7`), which `ctr images import`
 * loads under that name. The layer is an uncompressed tar with owners and
 * modes as they are in the folder, entries sorted and times zeroed, so the
 * same folder gives the same image ID.
 */
export function packOciArchive(options: {
  rootfs: string;
  name: string;
  config: ImageConfig;
  archive: string;
}): { digest: string; bytes: number } {
  const work = `${options.archive}.d`;
  fs.rmSync(work, { recursive: true, force: true });
  const blobs = path.join(work, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const putJson = (value: object) => {
    const data = Buffer.from(JSON.stringify(value));
    const digest = crypto.createHash('sha256').update(data).digest('hex');
    fs.writeFileSync(path.join(blobs, digest), data);
    return { digest: `sha256:${digest}`, size: data.length };
  };

  const layerTmp = path.join(work, 'layer.tar');
  run('tar', [
    '--create',
    '--file',
    layerTmp,
    '--directory',
    options.rootfs,
    '--sort=name',
    '--mtime=@0',
    '--numeric-owner',
    '--xattrs',
    '.',
  ]);
  const layerDigest = sha256File(layerTmp);
  const layerSize = fs.statSync(layerTmp).size;
  fs.renameSync(layerTmp, path.join(blobs, layerDigest));

  const config = putJson({
    architecture: 'amd64',
    os: 'linux',
    config: options.config,
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created_by: 'k8s-sandbox packOciArchive' }],
  });
  const manifest = putJson({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      ...config,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${layerDigest}`,
        size: layerSize,
      },
    ],
  });
  fs.writeFileSync(
    path.join(work, 'oci-layout'),
    JSON.stringify({ imageLayoutVersion: '1.0.0' }),
  );
  fs.writeFileSync(
    path.join(work, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: {
            'io.containerd.image.name': options.name,
            'org.opencontainers.image.ref.name': options.name,
          },
        },
      ],
    }),
  );
  run('tar', [
    '--create',
    '--file',
    options.archive,
    '--directory',
    work,
    'oci-layout',
    'index.json',
    'blobs',
  ]);
  fs.rmSync(work, { recursive: true, force: true });
  return { digest: manifest.digest, bytes: layerSize };
}

/** Loads an OCI archive into containerd's `k8s.io` namespace, where the kubelet finds images. */
export function importImage(socket: string, archive: string): void {
  run('ctr', [
    '--address',
    socket,
    '--namespace',
    'k8s.io',
    'images',
    'import',
    '--snapshotter',
    'overlayfs',
    archive,
  ]);
}
