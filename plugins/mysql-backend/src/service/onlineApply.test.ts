import {
  parseMyCnf,
  planMysqlConfigChange,
} from '@mysql-portal/plugin-mysql-common';
import { onlineStatements as statementsFor } from './onlineApply';

/** The statements for a change from one my.cnf to another, as the reconciler plans it. */
function onlineStatements(running: string, desired: string) {
  return statementsFor(
    planMysqlConfigChange(parseMyCnf(running), parseMyCnf(desired), 'online')
      .changes,
  );
}

describe('onlineStatements', () => {
  it('turns dynamic changes into SET GLOBAL statements', () => {
    expect(
      onlineStatements(
        '[mysqld]\nmax_connections = 151\nslow_query_log = OFF\nwait_timeout = 60\n',
        '[mysqld]\nmax_connections = 123\nslow_query_log = ON\nsort_buffer_size = 2M\nsql_mode = STRICT_TRANS_TABLES\n',
      ),
    ).toEqual([
      { sql: 'SET GLOBAL max_connections = 123', values: [] },
      { sql: 'SET GLOBAL slow_query_log = ON', values: [] },
      { sql: 'SET GLOBAL sort_buffer_size = 2097152', values: [] },
      { sql: 'SET GLOBAL sql_mode = ?', values: ['STRICT_TRANS_TABLES'] },
      { sql: 'SET GLOBAL wait_timeout = DEFAULT', values: [] },
    ]);
  });

  it('writes values the way the server reads them from my.cnf', () => {
    expect(
      onlineStatements(
        '[mysqld]\n',
        '[mysqld]\nslow_query_log = 1\ninnodb_flush_log_at_trx_commit = 2\n',
      ),
    ).toEqual([
      { sql: 'SET GLOBAL innodb_flush_log_at_trx_commit = 2', values: [] },
      { sql: 'SET GLOBAL slow_query_log = ON', values: [] },
    ]);
    expect(
      onlineStatements('[mysqld]\n', '[mysqld]\nslow_query_log = maybe\n'),
    ).toBeUndefined();
  });

  it('needs a restart when any changed variable is not dynamic', () => {
    expect(
      onlineStatements(
        '[mysqld]\nmax_connections = 151\n',
        '[mysqld]\nmax_connections = 123\ninnodb_log_buffer_size = 32M\n',
      ),
    ).toBeUndefined();
    expect(
      onlineStatements('[mysqld]\n', '[mysqld]\nnot_in_catalogue = 1\n'),
    ).toBeUndefined();
  });

  it('has nothing to do when nothing changed', () => {
    expect(
      onlineStatements(
        '[mysqld]\nmax_connections = 123\n',
        '[mysqld]\nmax_connections = 123\n',
      ),
    ).toEqual([]);
  });
});
