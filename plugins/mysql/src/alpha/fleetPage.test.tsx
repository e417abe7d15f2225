import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { mysqlFleetPage, mysqlPlugin } from './plugin';

describe('the fleet page (new frontend system)', () => {
  it('is a page at /mysql on the app routes, with the title and icon of its sidebar entry', () => {
    expect(mysqlPlugin.getExtension('page:mysql')).toMatchObject({
      disabled: false,
      attachTo: { id: 'app/routes', input: 'routes' },
    });
    const tester = createExtensionTester(mysqlFleetPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/mysql');
    expect(tester.get(coreExtensionData.title)).toBe('Databases');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    // The app's nav lists pages that have a route ref.
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
    expect(mysqlPlugin.routes.root).toBe(
      tester.get(coreExtensionData.routeRef),
    );
  });
});
