import * as k8s from '@kubernetes/client-node';
import { MYSQL_INSTANCE_PHASES } from '@mysql-portal/plugin-mysql-common';
import fs from 'node:fs';
import path from 'node:path';
import {
  MYSQL_INSTANCE_API,
  MysqlInstanceResourceSpec,
  MysqlInstanceResourceStatus,
} from './mysqlInstance';

const CRD_FILE = path.resolve(
  __dirname,
  '../../../deploy/crds/mysqlinstances.mysql.backstage.io.yaml',
);

function crd() {
  return k8s.loadYaml<k8s.V1CustomResourceDefinition>(
    fs.readFileSync(CRD_FILE, 'utf8'),
  );
}

function schema() {
  const [version] = crd().spec.versions;
  return version.schema!.openAPIV3Schema!.properties!;
}

// Each key of the TypeScript types, so that a field added on one side only
// fails here.
const SPEC_FIELDS: Record<keyof MysqlInstanceResourceSpec, true> = {
  owner: true,
  image: true,
  config: true,
  resources: true,
  storage: true,
  database: true,
  backup: true,
};
const STATUS_FIELDS: Record<keyof MysqlInstanceResourceStatus, true> = {
  observedGeneration: true,
  phase: true,
  message: true,
  version: true,
  configHash: true,
  operation: true,
  conditions: true,
};

describe('the MysqlInstance definition in deploy/crds', () => {
  it('names the group, version, kind and plural the code uses', () => {
    const { spec, metadata } = crd();
    expect(metadata!.name).toBe(
      `${MYSQL_INSTANCE_API.plural}.${MYSQL_INSTANCE_API.group}`,
    );
    expect(spec.group).toBe(MYSQL_INSTANCE_API.group);
    expect(spec.names.kind).toBe(MYSQL_INSTANCE_API.kind);
    expect(spec.names.plural).toBe(MYSQL_INSTANCE_API.plural);
    expect(spec.scope).toBe('Namespaced');
    expect(spec.versions.map(v => [v.name, v.storage])).toEqual([
      [MYSQL_INSTANCE_API.version, true],
    ]);
    expect(spec.versions[0].subresources?.status).toEqual({});
  });

  it('has the fields of the TypeScript types, no more and no fewer', () => {
    expect(Object.keys(schema().spec.properties!).sort()).toEqual(
      Object.keys(SPEC_FIELDS).sort(),
    );
    expect(Object.keys(schema().status.properties!).sort()).toEqual(
      Object.keys(STATUS_FIELDS).sort(),
    );
  });

  it('allows exactly the phases the backend reports', () => {
    expect(schema().status.properties!.phase._enum).toEqual([
      ...MYSQL_INSTANCE_PHASES,
    ]);
  });

  it('shows phase, version, ready and age in kubectl get', () => {
    const columns = crd().spec.versions[0].additionalPrinterColumns!;
    expect(
      columns.filter(c => !c.priority).map(c => [c.name, c.jsonPath]),
    ).toEqual([
      ['Phase', '.status.phase'],
      ['Version', '.status.version.server'],
      ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
      ['Age', '.metadata.creationTimestamp'],
    ]);
  });
});
