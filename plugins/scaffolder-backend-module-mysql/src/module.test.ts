import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleMysql } from './module';

describe('scaffolderModuleMysql', () => {
  it('adds mysql:provision, mysql:configure and mysql:backup', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleMysql,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            mysql: {
              clusters: [
                { name: 'sandbox', url: 'http://127.0.0.1:1', token: 'x' },
              ],
              reconciler: { mode: 'online' },
            },
          },
        }),
      ],
    });
    expect(
      addActions.mock.calls.flat().map((action: { id: string }) => action.id),
    ).toEqual(['mysql:provision', 'mysql:configure', 'mysql:backup']);
  });
});
