import { mockServices } from '@backstage/backend-test-utils';
import { InstanceObjects } from '../service/InstanceCache';
import { Observation } from '../service/MysqlStore';
import { InstanceSignals, pollChanged } from './InstanceSignals';

const REF = 'sandbox/databases/orders-db';

function objects(versions: { sts: string; cm: string; pods: string[] }) {
  return {
    ref: REF,
    cluster: 'sandbox',
    namespace: 'databases',
    name: 'orders-db',
    statefulSet: { metadata: { resourceVersion: versions.sts } },
    configMap: { metadata: { resourceVersion: versions.cm } },
    pods: versions.pods.map(v => ({ metadata: { resourceVersion: v } })),
  } as InstanceObjects;
}

const poll: Observation = {
  reachable: true,
  version: '9.7.4',
  uptimeSeconds: 10,
  variables: { max_connections: '151' },
  polledAt: '2026-11-25T10:00:00.000Z',
};

describe('InstanceSignals', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup() {
    const signals = { publish: jest.fn().mockResolvedValue(undefined) };
    return {
      signals,
      publisher: new InstanceSignals(signals, mockServices.logger.mock(), 200),
    };
  }

  it('gathers the changes of one instance into one signal on its channel', async () => {
    const { signals, publisher } = setup();
    publisher.changed(REF, 'objects');
    publisher.changed(REF, 'history');
    publisher.changed(REF, 'objects');
    publisher.changed('sandbox/databases/other', 'status');
    expect(signals.publish).not.toHaveBeenCalled();
    jest.advanceTimersByTime(200);
    expect(signals.publish).toHaveBeenCalledTimes(2);
    expect(signals.publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: `mysql:instance:${REF}`,
      message: { ref: REF, reasons: ['history', 'objects'] },
    });

    publisher.changed(REF, 'backup');
    jest.advanceTimersByTime(200);
    expect(signals.publish).toHaveBeenLastCalledWith(
      expect.objectContaining({
        message: { ref: REF, reasons: ['backup'] },
      }),
    );
  });

  it('signals changed objects, not a relist of the same ones', () => {
    const { signals, publisher } = setup();
    publisher.objectsChanged(REF, objects({ sts: '1', cm: '1', pods: ['1'] }));
    jest.advanceTimersByTime(200);
    publisher.objectsChanged(REF, objects({ sts: '1', cm: '1', pods: ['1'] }));
    jest.advanceTimersByTime(200);
    expect(signals.publish).toHaveBeenCalledTimes(1);
    publisher.objectsChanged(REF, objects({ sts: '1', cm: '1', pods: ['2'] }));
    jest.advanceTimersByTime(200);
    publisher.objectsChanged(REF, undefined);
    jest.advanceTimersByTime(200);
    expect(signals.publish).toHaveBeenCalledTimes(3);
  });

  it('signals a poll that tells something new, not a new uptime', () => {
    const { signals, publisher } = setup();
    publisher.polled(REF, { ...poll, uptimeSeconds: 40 }, poll);
    jest.advanceTimersByTime(200);
    expect(signals.publish).not.toHaveBeenCalled();
    publisher.polled(
      REF,
      { ...poll, variables: { max_connections: '200' } },
      poll,
    );
    jest.advanceTimersByTime(200);
    expect(signals.publish).toHaveBeenCalledWith(
      expect.objectContaining({ message: { ref: REF, reasons: ['poll'] } }),
    );
  });

  it('publishes nothing once stopped', () => {
    const { signals, publisher } = setup();
    publisher.changed(REF, 'status');
    publisher.stop();
    publisher.changed(REF, 'status');
    jest.advanceTimersByTime(1000);
    expect(signals.publish).not.toHaveBeenCalled();
  });

  it('logs a signal it could not publish', async () => {
    const logger = mockServices.logger.mock();
    const signals = { publish: jest.fn().mockRejectedValue(new Error('down')) };
    const publisher = new InstanceSignals(signals, logger, 200);
    publisher.changed(REF, 'status');
    jest.advanceTimersByTime(200);
    await Promise.resolve();
    await Promise.resolve();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`publishing the change of ${REF}`),
    );
  });
});

describe('pollChanged', () => {
  it('is true for a first poll, a new version, values or reachability', () => {
    expect(pollChanged(poll, undefined)).toBe(true);
    expect(pollChanged({ ...poll, version: '9.7.5' }, poll)).toBe(true);
    expect(pollChanged({ ...poll, reachable: false }, poll)).toBe(true);
    expect(
      pollChanged({ ...poll, polledAt: '2026-11-25T10:00:30.000Z' }, poll),
    ).toBe(false);
  });
});
