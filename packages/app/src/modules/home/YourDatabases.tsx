import { useEffect, useMemo, useState } from 'react';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  MysqlApiClient,
  MysqlInstancePhase,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  CREATE_DATABASE_PATH,
  loadOwnedDatabases,
  OwnedDatabases,
} from './ownedDatabases';

/**
 * How often the list and the statuses are read again, so that a database
 * created in another tab, or one that finishes starting, shows up without a
 * reload.
 */
const REFRESH_INTERVAL_MS = 10_000;

const PHASE_INDICATORS: Record<MysqlInstancePhase, typeof StatusOK> = {
  Running: StatusOK,
  Provisioning: StatusPending,
  Reconciling: StatusPending,
  Degraded: StatusWarning,
  Unreachable: StatusError,
  Deleting: StatusPending,
};

function useOwnedDatabases() {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const mysqlApi = useMemo(
    () => new MysqlApiClient({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
  const [state, setState] = useState<{
    value?: OwnedDatabases;
    error?: Error;
  }>({});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const { ownershipEntityRefs } =
          await identityApi.getBackstageIdentity();
        const value = await loadOwnedDatabases({
          catalogApi,
          mysqlApi,
          ownershipEntityRefs,
        });
        if (!stopped) setState({ value });
      } catch (error) {
        // Keep what was shown; say that it could not be refreshed.
        if (!stopped) {
          setState(previous => ({
            value: previous.value,
            error: error instanceof Error ? error : new Error(String(error)),
          }));
        }
      }
      if (!stopped) timer = setTimeout(load, REFRESH_INTERVAL_MS);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [catalogApi, identityApi, mysqlApi]);

  return state;
}

function DatabaseStatus(props: {
  instance?: MysqlInstanceSummary;
  statusError?: string;
}) {
  const { instance, statusError } = props;
  if (!instance) {
    return (
      <StatusAborted>{statusError ? 'Unavailable' : 'Unknown'}</StatusAborted>
    );
  }
  const { phase, message } = instance.status;
  const Indicator = PHASE_INDICATORS[phase] ?? StatusAborted;
  return (
    <>
      <Indicator>{phase}</Indicator>
      {message && phase !== 'Running' && (
        <Typography variant="caption" display="block" color="textSecondary">
          {message}
        </Typography>
      )}
    </>
  );
}

/**
 * The home page's "Your databases": the databases that the signed-in user
 * or one of their groups owns, with links to their pages and their status.
 */
export function YourDatabases() {
  const { value, error } = useOwnedDatabases();

  if (!value) {
    return error ? <ResponseErrorPanel error={error} /> : <Progress />;
  }

  const { databases, statusError } = value;
  if (databases.length === 0) {
    return (
      <Typography>
        You own no databases yet —{' '}
        <Link to={CREATE_DATABASE_PATH}>create one</Link>.
      </Typography>
    );
  }

  return (
    <>
      {error && (
        <WarningPanel
          severity="warning"
          title="Could not refresh the list"
          message={error.message}
        />
      )}
      {statusError && (
        <WarningPanel
          severity="warning"
          title="Status unavailable"
          message={statusError}
        />
      )}
      <Table size="small" aria-label="Your databases">
        <TableHead>
          <TableRow>
            <TableCell>Database</TableCell>
            <TableCell>Owner</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>MySQL</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {databases.map(({ entity, instance }) => (
            <TableRow key={entity.metadata.uid ?? entity.metadata.name}>
              <TableCell>
                <EntityRefLink entityRef={entity} />
              </TableCell>
              <TableCell>
                {typeof entity.spec?.owner === 'string' && (
                  <EntityRefLink
                    entityRef={entity.spec.owner}
                    defaultKind="group"
                    defaultNamespace={entity.metadata.namespace}
                  />
                )}
              </TableCell>
              <TableCell>
                <DatabaseStatus instance={instance} statusError={statusError} />
              </TableCell>
              <TableCell>
                {instance?.version.server ?? instance?.version.image ?? ''}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
