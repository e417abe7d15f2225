import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { mysqlApiRef } from '../api';
import { entity, makeBackupList, makeDetail } from '../testData';
import { mysqlApi, mysqlEntityCard, mysqlPlugin } from './plugin';

describe('mysql plugin (new frontend system)', () => {
  it('has the api and the card', () => {
    expect(mysqlPlugin.id).toBe('mysql');
    expect(mysqlApi).toBeDefined();
    expect(mysqlPlugin.getExtension('api:mysql')).toBeDefined();
    // Enabled by default and attached to the entity overview.
    expect(mysqlPlugin.getExtension('entity-card:mysql')).toMatchObject({
      disabled: false,
      attachTo: { id: 'entity-content:catalog/overview', input: 'cards' },
    });
  });

  it('shows the card for annotated entities only', () => {
    const tester = createExtensionTester(mysqlEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(filter(entity)).toBe(true);
    expect(
      filter({ ...entity, metadata: { name: 'x', annotations: {} } }),
    ).toBe(false);
    expect(filter({ ...entity, metadata: { name: 'x' } })).toBe(false);
  });

  it('renders the card', async () => {
    const api = {
      getInstance: jest.fn().mockResolvedValue(makeDetail()),
      updateConfig: jest.fn(),
      restart: jest.fn(),
      deleteInstance: jest.fn(),
      createInstance: jest.fn(),
      createBackup: jest.fn(),
      listBackups: jest.fn().mockResolvedValue(makeBackupList()),
      updateVersion: jest.fn(),
    };
    const tester = createExtensionTester(mysqlEntityCard, {
      apis: [[mysqlApiRef, api], mockApis.permission()],
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>{tester.reactElement()}</EntityProvider>,
      { apis: [[mysqlApiRef, api], mockApis.permission()] },
    );
    expect(await screen.findByText('MySQL')).toBeInTheDocument();
    expect(await screen.findByRole('status')).toHaveTextContent('Running');
  });
});
