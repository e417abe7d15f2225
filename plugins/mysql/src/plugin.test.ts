import { EntityMySqlCard, mysqlPlugin } from './plugin';

describe('mysqlPlugin', () => {
  it('provides the api and the card', () => {
    expect(mysqlPlugin.getId()).toBe('mysql');
    expect([...mysqlPlugin.getApis()].map(api => api.api.id)).toEqual([
      'plugin.mysql.service',
    ]);
    expect(EntityMySqlCard).toBeDefined();
  });
});
