import {
  Content,
  Header,
  InfoCard,
  Link,
  LinkButton,
  Page,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { HomePageLayoutProps } from '@backstage/plugin-home-react/alpha';
import { Box, Grid, Typography } from '@material-ui/core';
import AddIcon from '@material-ui/icons/Add';
import { CREATE_DATABASE_PATH } from './ownedDatabases';

const ALL_DATABASES_PATH =
  '/catalog?filters[kind]=resource&filters[type]=database&filters[user]=all';

function Intro() {
  return (
    <InfoCard>
      <Typography variant="h5" component="h2" gutterBottom>
        MySQL databases for your team, on microk8s
      </Typography>
      <Typography paragraph>
        Fill in one form and get a standalone MySQL server on the team's
        microk8s cluster. It appears in the <Link to="/catalog">catalog</Link>{' '}
        with its owner, the version that really runs and its configuration; its
        owners change that configuration here, and the portal applies it and
        reads back what the server runs.
      </Typography>
      <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={16}>
        <LinkButton
          to={CREATE_DATABASE_PATH}
          variant="contained"
          color="primary"
          size="large"
          startIcon={<AddIcon />}
        >
          Create a database
        </LinkButton>
        <Link to={ALL_DATABASES_PATH}>Every database in the catalog</Link>
      </Box>
    </InfoCard>
  );
}

/**
 * The home page: what the portal is for, the way to a new database, then
 * the installed widgets (the user's databases) one below the other. It
 * replaces the customizable grid of plugin-home, whose edit mode has
 * nothing to offer here.
 */
export function HomePageLayout(props: HomePageLayoutProps) {
  const title =
    useApi(configApiRef).getOptionalString('app.title') ?? 'MySQL Portal';
  return (
    <Page themeId="home">
      <Header
        title={title}
        subtitle="Self-service MySQL on microk8s"
        pageTitleOverride="Home"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <Intro />
          </Grid>
          {props.widgets.map((widget, index) => (
            <Grid item xs={12} key={widget.name ?? index}>
              {widget.component}
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
