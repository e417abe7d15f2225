import { renderMyCnf } from '@mysql-portal/plugin-mysql-common';
import {
  configHash,
  MysqlInstanceResource,
} from '@mysql-portal/plugin-mysql-node';
import * as k8s from '@kubernetes/client-node';
import { InstanceObjects } from '../service/InstanceCache';
import {
  readSpecEditor,
  SPEC_EDITED_BY_ANNOTATION,
  specConfigState,
  specConfigValues,
  specEditor,
  specToken,
} from './specConfig';
import { mysqlInstanceResource } from '../__testUtils__/mysqlInstanceResource';

const CNF = renderMyCnf({ max_connections: 100 });

function objects(
  options: {
    config?: Record<string, string>;
    generation?: number;
    rendered?: string;
    cnf?: string;
    editor?: string;
    resource?: boolean;
  } = {},
): InstanceObjects {
  const resource: MysqlInstanceResource = mysqlInstanceResource(
    options.config ?? { max_connections: '100' },
    {
      uid: 'mi-1',
      generation: options.generation ?? 2,
      annotations: options.editor
        ? { [SPEC_EDITED_BY_ANNOTATION]: options.editor }
        : {},
    },
  );
  return {
    ref: 'sandbox/db/orders',
    cluster: 'sandbox',
    namespace: 'db',
    name: 'orders',
    statefulSet: {
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
        annotations:
          options.rendered === undefined
            ? {}
            : { 'mysql.backstage.io/rendered-generation': options.rendered },
      },
      data: { 'my.cnf': options.cnf ?? CNF },
    },
    ...(options.resource === false ? {} : { resource }),
    pods: [],
  };
}

describe('specConfigState', () => {
  it('is none without a MysqlInstance', () => {
    expect(specConfigState(objects({ resource: false }))).toEqual({
      state: 'none',
    });
  });

  it('is in sync when the ConfigMap was rendered from this generation, even if edited by hand since', () => {
    expect(
      specConfigState(
        objects({ rendered: '2', cnf: renderMyCnf({ max_connections: 70 }) }),
      ),
    ).toEqual({ state: 'in-sync', generation: 2 });
  });

  it('takes a ConfigMap without the annotation as rendered from generation 1, from which an adopted MysqlInstance was made', () => {
    const adopted = objects({
      generation: 1,
      cnf: renderMyCnf({ max_connections: 70 }),
    });
    expect(specConfigState(adopted)).toEqual({
      state: 'in-sync',
      generation: 1,
    });
    expect(specConfigState(objects({ generation: 2 }))).toMatchObject({
      state: 'render',
      changes: [],
    });
  });

  it('compares values as the server reads them', () => {
    expect(
      specConfigState(
        objects({
          config: { innodb_buffer_pool_size: '128M' },
          rendered: '1',
          cnf: '[mysqld]\ninnodb_buffer_pool_size=134217728\n',
        }),
      ),
    ).toMatchObject({ state: 'render', changes: [] });
  });

  it('renders a new generation, saying who asked when the portal did', () => {
    const config = { max_connections: '200' };
    const state = specConfigState(
      objects({
        config,
        rendered: '1',
        editor: specEditor(config, 'user:default/ann'),
      }),
    );
    expect(state).toEqual({
      state: 'render',
      generation: 2,
      cnf: renderMyCnf(config),
      changes: ['max_connections=200'],
      known: true,
      actor: 'user:default/ann',
    });
  });

  it('renders an edit made by hand as unknown, whatever the annotation says of an earlier one', () => {
    const state = specConfigState(
      objects({
        config: { max_connections: '300' },
        rendered: '1',
        editor: specEditor({ max_connections: 200 }, 'user:default/ann'),
      }),
    );
    expect(state).toMatchObject({ state: 'render', known: false });
    expect(state).not.toHaveProperty('actor');
  });

  it('renders a rollback as known, with no actor', () => {
    const config = { max_connections: '100' };
    const state = specConfigState(
      objects({
        config,
        rendered: '1',
        cnf: renderMyCnf({ max_connections: 999 }),
        editor: specEditor(config),
      }),
    );
    expect(state).toMatchObject({ state: 'render', known: true });
    expect(state).not.toHaveProperty('actor');
  });

  it('only stamps a new generation that asks for what the ConfigMap holds', () => {
    expect(specConfigState(objects({ rendered: '1' }))).toMatchObject({
      state: 'render',
      cnf: CNF,
      changes: [],
    });
  });

  it('refuses a spec the server cannot run, naming each field', () => {
    const state = specConfigState(
      objects({
        config: { max_connections: '0', no_such_variable: '1' },
        rendered: '1',
      }),
    );
    expect(state).toMatchObject({ state: 'invalid', generation: 2 });
    const { problems } = state as { problems: string[] };
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.config\.max_connections: /),
      expect.stringMatching(/^spec\.config\.no_such_variable: /),
    ]);
  });

  it('refuses an init-only variable changed after creation', () => {
    const state = specConfigState(
      objects({
        config: { max_connections: '100', lower_case_table_names: '1' },
        rendered: '1',
      }),
    );
    expect(state).toMatchObject({
      state: 'invalid',
      problems: [
        expect.stringMatching(/^spec\.config\.lower_case_table_names: /),
      ],
    });
  });
});

describe('the token and the editor', () => {
  it('is the generation', () => {
    expect(specToken(objects({ generation: 7 }))).toBe('7');
    expect(specToken(objects({ resource: false }))).toBe('');
  });

  it('stores values as my.cnf reads them', () => {
    expect(
      specConfigValues({ max_connections: 200, skip_name_resolve: true }),
    ).toEqual({ max_connections: '200', skip_name_resolve: 'ON' });
  });

  it('reads back what it wrote, and nothing from a malformed annotation', () => {
    const written = specEditor({ max_connections: 200 }, 'user:default/ann');
    expect(readSpecEditor({ [SPEC_EDITED_BY_ANNOTATION]: written })).toEqual({
      actor: 'user:default/ann',
      hash: configHash(renderMyCnf({ max_connections: 200 })),
    });
    expect(
      readSpecEditor({ [SPEC_EDITED_BY_ANNOTATION]: 'bob' }),
    ).toBeUndefined();
    expect(readSpecEditor(undefined)).toBeUndefined();
  });
});
