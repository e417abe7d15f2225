import { Content, Header, Page } from '@backstage/core-components';
import { FleetContent } from './FleetContent';

/**
 * The fleet page for the legacy frontend system: every MySQL instance the
 * user may read, across clusters, in a page of its own (mount it at
 * `/mysql`). The new frontend system's page shows {@link FleetContent}
 * under its own header.
 */
export function FleetPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Databases"
        subtitle="Every MySQL instance you may read, across clusters"
      />
      <Content>
        <FleetContent />
      </Content>
    </Page>
  );
}
