import * as api from './index';

describe('index', () => {
  it('exports the public API and nothing internal', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'MYSQL_CONFIG_HASH_ANNOTATION',
        'MysqlApiClient',
        'checkMysqlUpgrade',
        'describeMysqlConfigChange',
        'MYSQL_INSTANCE_ANNOTATION',
        'MYSQL_INSTANCE_PHASES',
        'MYSQL_LABELS',
        'MYSQL_MANAGED_BY',
        'MYSQL_OWNER_ANNOTATION',
        'MY_CNF_KEY',
        'formatInstanceRef',
        'formatSize',
        'getMysqlVariable',
        'imageServerFamily',
        'isDnsLabel',
        'isMysqlInstancePhase',
        'mysqlInstanceSignalChannel',
        'mysqlInstanceBackupCreatePermission',
        'mysqlInstanceConfigUpdatePermission',
        'mysqlInstanceCreatePermission',
        'mysqlInstanceDeletePermission',
        'mysqlOwnerPermissions',
        'mysqlLabels',
        'mysqlPermissions',
        'mysqlVariables',
        'parseImageVersion',
        'parseInstanceRef',
        'parseMyCnf',
        'parseServerVersion',
        'parseSize',
        'planMysqlConfigChange',
        'renderMyCnf',
        'sameMysqlValue',
        'validateMysqlConfig',
        'validateMysqlVariable',
        'versionMatchesImage',
      ].sort(),
    );
  });
});
