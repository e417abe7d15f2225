import { buildMysqlManifests } from './manifests';

const manifests = buildMysqlManifests({
  name: 'orders-db',
  namespace: 'databases',
  owner: 'group:default/team-a',
  image: 'mysql:8.4',
  storage: { size: '5Gi', storageClass: 'microk8s-hostpath' },
  resources: {},
  databaseName: 'orders_db',
  username: 'app',
  config: { max_connections: '200' },
});

describe('buildMysqlManifests', () => {
  it('keeps the data when the StatefulSet is deleted or scaled', () => {
    expect(
      manifests.statefulSet.spec?.persistentVolumeClaimRetentionPolicy,
    ).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  it('selects pods by our managed-by label too, so a Helm release of the same name cannot collide', () => {
    const selector = {
      'app.kubernetes.io/name': 'mysql',
      'app.kubernetes.io/instance': 'orders-db',
      'app.kubernetes.io/managed-by': 'backstage-mysql',
    };
    expect(manifests.statefulSet.spec?.selector.matchLabels).toEqual(selector);
    expect(manifests.service.spec?.selector).toEqual(selector);
    expect(manifests.headlessService.spec?.selector).toEqual(selector);
    expect(manifests.statefulSet.spec?.template.metadata?.labels).toMatchObject(
      selector,
    );
  });

  it('puts no password in any object', () => {
    expect(manifests.secret.stringData).not.toHaveProperty('password');
    expect(manifests.secret.stringData).not.toHaveProperty('root-password');
  });
});
