import { mysqlInstanceSignalChannel } from './signals';

describe('mysqlInstanceSignalChannel', () => {
  it('names one channel per instance, from a ref or its string form', () => {
    expect(
      mysqlInstanceSignalChannel({
        cluster: 'sandbox',
        namespace: 'databases',
        name: 'orders-db',
      }),
    ).toBe('mysql:instance:sandbox/databases/orders-db');
    expect(mysqlInstanceSignalChannel('sandbox/databases/orders-db')).toBe(
      'mysql:instance:sandbox/databases/orders-db',
    );
  });

  it('refuses a ref with an empty part', () => {
    expect(() =>
      mysqlInstanceSignalChannel({ cluster: '', namespace: 'a', name: 'b' }),
    ).toThrow(/cluster/);
  });
});
