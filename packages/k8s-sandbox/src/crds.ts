import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './processes';

/** Where the repository keeps the custom resource definitions it ships. */
const CRDS_DIR = path.join('deploy', 'crds');

/**
 * Creates, or replaces with the repository's version, every custom resource
 * definition in `<root>/deploy/crds`, and waits until the API server serves
 * each. `up` runs it on a running sandbox too, so a changed definition
 * reaches it without a restart. Returns the names applied.
 */
export async function applyCrds(
  admin: k8s.KubeConfig,
  root: string,
): Promise<string[]> {
  const dir = path.join(root, CRDS_DIR);
  if (!fs.existsSync(dir)) return [];
  const api = admin.makeApiClient(k8s.ApiextensionsV1Api);
  const names: string[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    const objects = k8s
      .loadAllYaml(fs.readFileSync(path.join(dir, file), 'utf8'))
      .filter(Boolean) as k8s.V1CustomResourceDefinition[];
    for (const crd of objects) {
      if (crd.kind !== 'CustomResourceDefinition') {
        throw new Error(`${path.join(CRDS_DIR, file)} holds a ${crd.kind}`);
      }
      await createOrReplace(api, crd);
      names.push(crd.metadata!.name!);
    }
  }
  for (const name of names) {
    await waitFor(
      `the API server to serve ${name}`,
      async () => established(await api.readCustomResourceDefinition({ name })),
      30_000,
    );
  }
  return names;
}

async function createOrReplace(
  api: k8s.ApiextensionsV1Api,
  crd: k8s.V1CustomResourceDefinition,
) {
  const name = crd.metadata!.name!;
  try {
    await api.createCustomResourceDefinition({ body: crd });
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  const current = await api.readCustomResourceDefinition({ name });
  await api.replaceCustomResourceDefinition({
    name,
    body: {
      ...crd,
      metadata: {
        ...crd.metadata,
        resourceVersion: current.metadata!.resourceVersion,
      },
    },
  });
}

function established(crd: k8s.V1CustomResourceDefinition) {
  return (
    crd.status?.conditions?.some(
      c => c.type === 'Established' && c.status === 'True',
    ) ?? false
  );
}
