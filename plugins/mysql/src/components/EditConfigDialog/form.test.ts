import { buildConfig, initialValues, planForm, rebaseValues } from './form';

describe('form', () => {
  const desired = { max_connections: '200', lower_case_table_names: '1' };

  it('starts from my.cnf, with booleans and sets at their defaults', () => {
    const values = initialValues(desired);
    expect(values.max_connections).toBe('200');
    expect(values.wait_timeout).toBe('');
    expect(values.general_log).toBe(false);
    expect(values.sql_mode).toContain('STRICT_TRANS_TABLES');
  });

  it('sends only touched fields and never init-only ones', () => {
    const initial = initialValues(desired);
    const config = buildConfig(desired, initial, {
      ...initial,
      wait_timeout: '60',
      lower_case_table_names: '0',
    });
    expect(config).toEqual({ ...desired, wait_timeout: '60' });
  });

  it('keeps unknown variables my.cnf already has', () => {
    const withUnknown = { ...desired, some_new_variable: 'x' };
    const initial = initialValues(withUnknown);
    expect(buildConfig(withUnknown, initial, initial)).toEqual(withUnknown);
    expect(planForm(withUnknown, withUnknown).problems['']).toMatch(
      /unknown variable/,
    );
  });

  it('reports a collation that does not fit the character set', () => {
    expect(
      planForm(
        {},
        {
          character_set_server: 'latin1',
          collation_server: 'utf8mb4_bin',
        },
      ).problems,
    ).toEqual({ collation_server: expect.stringMatching(/does not belong/) });
  });

  it('ignores a value rewritten in another unit', () => {
    expect(
      planForm(
        { innodb_buffer_pool_size: '268435456' },
        { innodb_buffer_pool_size: '256M' },
      ).changes,
    ).toEqual([]);
  });

  it('says whether saving restarts the server, as the backend decides', () => {
    const current = { max_connections: '100' };
    expect(planForm(current, { max_connections: '120' }).restarts).toBe(true);
    expect(
      planForm(current, { max_connections: '120' }, 'online').restarts,
    ).toBe(false);
    expect(
      planForm(
        current,
        { max_connections: '120', skip_name_resolve: 'ON' },
        'online',
      ).restarts,
    ).toBe(true);
  });

  it('keeps the user edits when rebasing on a newer my.cnf', () => {
    const oldInitial = initialValues(desired);
    const newInitial = initialValues({ ...desired, wait_timeout: '600' });
    const rebased = rebaseValues(
      oldInitial,
      { ...oldInitial, max_connections: '300' },
      newInitial,
    );
    expect(rebased.max_connections).toBe('300');
    expect(rebased.wait_timeout).toBe('600');
  });
});
