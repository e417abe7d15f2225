import { EntityMySqlCard, MysqlFleetPage, mysqlPlugin } from './plugin';
import { fleetRouteRef } from './routes';

describe('mysqlPlugin', () => {
  it('provides the api and the card', () => {
    expect(mysqlPlugin.getId()).toBe('mysql');
    expect([...mysqlPlugin.getApis()].map(api => api.api.id)).toEqual([
      'plugin.mysql.service',
    ]);
    expect(EntityMySqlCard).toBeDefined();
  });

  it('provides the fleet page, routable at the root route', () => {
    expect(MysqlFleetPage).toBeDefined();
    expect(mysqlPlugin.routes.root).toBe(fleetRouteRef);
  });
});
