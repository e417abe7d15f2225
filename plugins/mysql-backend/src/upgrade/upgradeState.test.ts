import * as k8s from '@kubernetes/client-node';
import { upgradeProgress } from './upgradeState';

function pod(
  image: string,
  status: Partial<k8s.V1ContainerStatus>,
  ready = false,
): k8s.V1Pod {
  return {
    spec: { containers: [{ name: 'mysql', image }] },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'mysql',
          image,
          imageID: '',
          ready,
          restartCount: 0,
          ...status,
        },
      ],
    },
  };
}

describe('upgradeProgress', () => {
  it('waits for a pod of the new image, and is done when it is Ready', () => {
    expect(
      upgradeProgress([pod('mysql:9.7', {}, true)], 'mysql:9.7.4'),
    ).toEqual({ state: 'waiting' });
    expect(
      upgradeProgress(
        [pod('mysql:9.7.4', { state: { running: {} } })],
        'mysql:9.7.4',
      ),
    ).toEqual({ state: 'waiting' });
    expect(
      upgradeProgress([pod('mysql:9.7.4', {}, true)], 'mysql:9.7.4'),
    ).toEqual({ state: 'ready' });
  });

  it('fails without touching the data when the image never started', () => {
    expect(
      upgradeProgress(
        [
          pod('mysql:9.7.5', {
            state: {
              waiting: { reason: 'ImagePullBackOff', message: 'not found' },
            },
          }),
        ],
        'mysql:9.7.5',
      ),
    ).toEqual({
      state: 'failed',
      message: 'mysql:9.7.5 cannot start: ImagePullBackOff (not found)',
      dataTouched: false,
    });
  });

  it.each([
    ['[ERROR] [MY-010119] [Server] Aborting', false],
    [
      "[System] [MY-013381] [Server] Server upgrade from '80400' to '90700' started.\n[ERROR] boom",
      true,
    ],
    ['', true],
  ])(
    'after a crash with the log %j, the data may be touched: %p',
    (log, touched) => {
      const progress = upgradeProgress(
        [
          pod('mysql:9.7.4', {
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, message: log } },
          }),
        ],
        'mysql:9.7.4',
      );
      expect(progress).toMatchObject({ state: 'failed', dataTouched: touched });
    },
  );
});
