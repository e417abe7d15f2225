import {
  describeMysqlConfigChange,
  planMysqlConfigChange,
} from './configChange';

describe('planMysqlConfigChange', () => {
  it('finds nothing to do for the same values written differently', () => {
    const plan = planMysqlConfigChange(
      { innodb_buffer_pool_size: '536870912', slow_query_log: '1' },
      { innodb_buffer_pool_size: '512M', slow_query_log: true },
      'restart',
    );
    expect(plan).toEqual({
      values: { innodb_buffer_pool_size: '512M', slow_query_log: 'ON' },
      changes: [],
      problems: [],
      effect: 'none',
    });
  });

  it('lists added, changed and removed variables in name order', () => {
    const plan = planMysqlConfigChange(
      { max_connections: '100', wait_timeout: '600' },
      { max_connections: 200, long_query_time: '2' },
      'restart',
    );
    expect(plan.changes).toEqual([
      { name: 'long_query_time', to: '2' },
      { name: 'max_connections', from: '100', to: '200' },
      { name: 'wait_timeout', from: '600' },
    ]);
    expect(plan.changes.map(describeMysqlConfigChange)).toEqual([
      'long_query_time=2',
      'max_connections=200',
      'wait_timeout reset to default',
    ]);
    expect(plan.effect).toBe('restart');
  });

  it('applies dynamic changes online, and restarts when any change is not dynamic', () => {
    expect(
      planMysqlConfigChange({}, { max_connections: 200 }, 'online').effect,
    ).toBe('online');
    expect(
      planMysqlConfigChange({ max_connections: '150' }, {}, 'online').effect,
    ).toBe('online');
    expect(
      planMysqlConfigChange(
        {},
        { max_connections: 200, skip_name_resolve: true },
        'online',
      ).effect,
    ).toBe('restart');
  });

  it('restarts for a variable my.cnf sets that the catalogue does not know', () => {
    const removed = planMysqlConfigChange(
      { max_connections: '100', some_option: '1' },
      { max_connections: 100 },
      'online',
    );
    expect(removed.changes).toEqual([{ name: 'some_option', from: '1' }]);
    expect(removed.effect).toBe('restart');
    const added = planMysqlConfigChange({}, { some_option: '1' }, 'online');
    expect(added.changes).toEqual([{ name: 'some_option', to: '1' }]);
    expect(added.problems[0].field).toBe('some_option');
    expect(added.effect).toBe('restart');
  });

  it('refuses to change a variable fixed at initialisation, naming it', () => {
    const plan = planMysqlConfigChange(
      { lower_case_table_names: '0' },
      { lower_case_table_names: 1 },
      'restart',
    );
    expect(plan.problems).toEqual([
      {
        field: 'lower_case_table_names',
        message:
          'can only be set when the database is created; it cannot change now',
      },
    ]);
  });

  it('keeps an init-only variable that does not change', () => {
    const plan = planMysqlConfigChange(
      { lower_case_table_names: '1', max_connections: '100' },
      { lower_case_table_names: '1', max_connections: 120 },
      'restart',
    );
    expect(plan.problems).toEqual([]);
    expect(plan.changes).toEqual([
      { name: 'max_connections', from: '100', to: '120' },
    ]);
  });

  it("reports validation problems, with the image's family", () => {
    const plan = planMysqlConfigChange(
      {},
      { max_connections: 0, collation_server: 'utf8mb4_0900_ai_ci' },
      'restart',
      'mariadb:10.11',
    );
    expect(plan.problems.map(p => p.field).sort()).toEqual([
      'collation_server',
      'max_connections',
    ]);
    expect(plan.changes).toEqual([
      { name: 'collation_server', to: 'utf8mb4_0900_ai_ci' },
      { name: 'max_connections', to: '0' },
    ]);
  });
});
