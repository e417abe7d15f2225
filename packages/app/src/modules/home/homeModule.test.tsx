import { fetchApiRef } from '@backstage/frontend-plugin-api';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import homePlugin from '@backstage/plugin-home/alpha';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { homeModule } from './homeModule';

describe('homeModule', () => {
  it("puts the portal's introduction and the user's databases on the home page", async () => {
    renderTestApp({
      features: [homePlugin, homeModule],
      config: {
        app: {
          title: 'MySQL Portal',
          extensions: [
            { 'page:home': { config: { path: '/' } } },
            // Only this module's widget, as in app-config.yaml.
            { 'home-page-widget:home/random-joke': false },
            { 'home-page-widget:home/world-clock': false },
            { 'home-page-widget:home/toolkit': false },
            { 'home-page-widget:home/starred-entities': false },
            { 'home-page-widget:home/most-visited': false },
            { 'home-page-widget:home/recently-visited': false },
          ],
        },
      },
      apis: [
        [
          catalogApiRef,
          catalogApiMock.mock({
            getEntities: jest.fn().mockResolvedValue({ items: [] }),
          }),
        ],
        [
          fetchApiRef,
          {
            fetch: jest.fn(
              async () =>
                new Response(JSON.stringify({ items: [] }), {
                  headers: { 'Content-Type': 'application/json' },
                }),
            ),
          },
        ],
        mockApis.discovery(),
        mockApis.identity({
          ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
        }),
      ],
    });

    expect(
      // The layout and the widget load lazily; the machines are slow.
      await screen.findByRole(
        'heading',
        { name: 'MySQL Portal' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(
      // A link drawn as a button (MUI gives it the button role).
      screen.getByRole('button', { name: 'Create a database' }),
    ).toHaveAttribute('href', '/create/templates/default/mysql-database');
    expect(
      await screen.findByText('Your databases', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        /You own no databases yet/,
        {},
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
  }, 60_000);
});
