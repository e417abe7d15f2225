import { MysqlEvents } from './MysqlEvents';

describe('MysqlEvents', () => {
  it('tells every listener of an event, with its arguments, and no other', () => {
    const events = new MysqlEvents();
    const first = jest.fn();
    const second = jest.fn();
    const other = jest.fn();
    events.on('historyAdded', first);
    events.on('historyAdded', second);
    events.on('recordsChanged', other);
    events.emit('historyAdded', 'sandbox/shop/orders-db');
    expect(first).toHaveBeenCalledWith('sandbox/shop/orders-db');
    expect(second).toHaveBeenCalledWith('sandbox/shop/orders-db');
    expect(other).not.toHaveBeenCalled();
  });

  it('does nothing for an event nobody listens to', () => {
    expect(() => new MysqlEvents().emit('recordsChanged')).not.toThrow();
  });
});
