import { mockServices } from '@backstage/backend-test-utils';
import { renderMyCnf } from '@mysql-portal/plugin-mysql-common';
import { MysqlClusters } from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { specEditor } from '../domain/specConfig';
import { InstanceObjects } from '../service/InstanceCache';
import { MysqlStore } from '../service/MysqlStore';
import { SpecRenderer } from './SpecRenderer';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const GOOD = renderMyCnf({ max_connections: 100 });

function objects(options: {
  config: Record<string, string>;
  generation: number;
  rendered: string;
  editor?: string;
  lastGood?: string;
  cnf?: string;
}): InstanceObjects {
  return {
    ref: 'sandbox/db/orders',
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
      metadata: {
        annotations: options.lastGood
          ? { 'mysql.backstage.io/last-good-config': options.lastGood }
          : {},
      },
      spec: {
        selector: {},
        serviceName: 'orders-headless',
        template: {
          spec: { containers: [{ name: 'mysql', image: 'mysql:9.7' }] },
        },
      },
    } as k8s.V1StatefulSet,
    configMap: {
      metadata: {
        name: 'orders',
        resourceVersion: '41',
        annotations: {
          'mysql.backstage.io/rendered-generation': options.rendered,
        },
      },
      data: { 'my.cnf': options.cnf ?? GOOD },
    },
    resource: mysqlInstanceResource(options.config, {
      uid: 'mi-1',
      generation: options.generation,
      annotations: options.editor
        ? { 'mysql.backstage.io/config-edited-by': options.editor }
        : {},
    }),
    pods: [],
  };
}

function setup() {
  const core = {
    patchNamespacedConfigMap: jest.fn(
      async (_args: any, _options?: any) => ({}),
    ),
  };
  const store = { addHistory: jest.fn(async () => true) };
  const logger = mockServices.logger.mock();
  const renderer = new SpecRenderer(
    { client: () => ({ core }) } as unknown as MysqlClusters,
    store as unknown as MysqlStore,
    logger,
  );
  return { renderer, core, store, logger };
}

describe('SpecRenderer', () => {
  it('leaves a ConfigMap rendered from this generation alone', async () => {
    const { renderer, core } = setup();
    const inst = objects({
      config: { max_connections: '100' },
      generation: 2,
      rendered: '2',
    });
    expect(await renderer.render(inst)).toBeUndefined();
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
  });

  it('renders a portal edit with the ConfigMap resourceVersion, saying who asked, and no second history entry', async () => {
    const { renderer, core, store } = setup();
    const config = { max_connections: '200' };
    const inst = objects({
      config,
      generation: 3,
      rendered: '2',
      editor: specEditor(config, 'user:default/ann'),
    });
    expect(await renderer.render(inst)).toBeDefined();
    expect(core.patchNamespacedConfigMap.mock.calls[0][0]).toEqual({
      name: 'orders',
      namespace: 'db',
      body: {
        metadata: {
          resourceVersion: '41',
          annotations: {
            'mysql.backstage.io/rendered-generation': '3',
            'mysql.backstage.io/edited-by': 'user:default/ann',
          },
        },
        data: { 'my.cnf': renderMyCnf({ max_connections: 200 }) },
      },
    });
    expect(store.addHistory).not.toHaveBeenCalled();
  });

  it('records an edit of the spec by hand once per generation, with no actor', async () => {
    const { renderer, core, store } = setup();
    const inst = objects({
      config: { max_connections: '300' },
      generation: 4,
      rendered: '3',
    });
    await renderer.render(inst);
    expect(
      core.patchNamespacedConfigMap.mock.calls[0][0].body.metadata.annotations[
        'mysql.backstage.io/edited-by'
      ],
    ).toBeNull();
    expect(store.addHistory).toHaveBeenCalledWith(
      'sandbox/db/orders',
      {
        kind: 'edit',
        message:
          'max_connections=300 (set on the MysqlInstance, not through the portal)',
      },
      'edit:sandbox/db/orders@mi-1/4',
    );
  });

  it('writes the last good my.cnf byte for byte when the spec asks for its values', async () => {
    const { renderer, core } = setup();
    const lastGood = '[mysqld]\nmax_connections=100\n';
    const config = { max_connections: '100' };
    await renderer.render(
      objects({
        config,
        generation: 5,
        rendered: '4',
        cnf: renderMyCnf({ max_connections: 999 }),
        lastGood,
        editor: specEditor(config),
      }),
    );
    expect(
      core.patchNamespacedConfigMap.mock.calls[0][0].body.data['my.cnf'],
    ).toBe(lastGood);
  });

  it('renders nothing for a spec the server cannot run, and says so once', async () => {
    const { renderer, core, logger } = setup();
    const inst = objects({
      config: { max_connections: '0' },
      generation: 6,
      rendered: '5',
    });
    expect(await renderer.render(inst)).toBeUndefined();
    expect(await renderer.render(inst)).toBeUndefined();
    expect(core.patchNamespacedConfigMap).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('spec.config.max_connections'),
    );
  });

  it('passes on a failed write, so the pass is retried', async () => {
    const { renderer, core } = setup();
    core.patchNamespacedConfigMap.mockRejectedValueOnce(
      Object.assign(new Error('Conflict'), { code: 409 }),
    );
    await expect(
      renderer.render(
        objects({
          config: { max_connections: '200' },
          generation: 7,
          rendered: '6',
        }),
      ),
    ).rejects.toThrow('Conflict');
  });
});
