import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  DeleteMysqlInstanceResponse,
  MYSQL_INSTANCE_ANNOTATION,
  MysqlInstanceDetail,
  MysqlInstanceRef,
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlInstanceDeletePermission,
  parseInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useMemo, useState } from 'react';
import { errorMessage, isBackendMissing } from '../../api';
import { EditConfigDialog } from '../EditConfigDialog';
import { BackupsSection } from './BackupsSection';
import { ConfigTable } from './ConfigTable';
import { ConnectionInfo } from './ConnectionInfo';
import { DeleteButton } from './DeleteButton';
import { HistoryList } from './HistoryList';
import { RestartButton } from './RestartButton';
import { RestoreNotice } from './RestoreNotice';
import { StatusChip } from './StatusChip';
import { UpgradeButton } from './UpgradeButton';
import { UpgradeNotice } from './UpgradeNotice';
import { useInstance } from './useInstance';
import { useNow } from './useNow';
import { VersionInfo } from './VersionInfo';

function BackendMissing() {
  return (
    <Alert severity="info">
      <AlertTitle>The MySQL backend plugin is not installed</AlertTitle>
      This portal's backend does not answer under <code>/api/mysql</code>. Add{' '}
      <code>@mysql-portal/plugin-mysql-backend</code> to the backend with{' '}
      <code>
        backend.add(import(&apos;@mysql-portal/plugin-mysql-backend&apos;))
      </code>{' '}
      in <code>packages/backend/src/index.ts</code>, then restart it.
    </Alert>
  );
}

const NOT_ALLOWED = 'You are not allowed to change this instance';

function ownerOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  return typeof owner === 'string' ? owner : undefined;
}

function Actions(props: {
  instanceRef: MysqlInstanceRef;
  detail: MysqlInstanceDetail;
  allowed: boolean;
  deleteAllowed: boolean;
  onEdit: () => void;
  onChanged: (detail: MysqlInstanceDetail) => void;
  onDeleted: (result: DeleteMysqlInstanceResponse) => void;
}) {
  const { instanceRef, allowed, deleteAllowed, onEdit, onChanged } = props;
  // A disabled button fires no events, so the tooltip needs a wrapper.
  return (
    <Tooltip title={allowed && deleteAllowed ? '' : NOT_ALLOWED}>
      <Box display="flex" gridGap={8} component="span">
        <Button
          variant="contained"
          color="primary"
          size="small"
          disabled={!allowed}
          onClick={onEdit}
        >
          Edit configuration
        </Button>
        <UpgradeButton
          instanceRef={instanceRef}
          detail={props.detail}
          disabled={!allowed}
          onUpgraded={onChanged}
        />
        <RestartButton
          instanceRef={instanceRef}
          disabled={!allowed}
          onRestarted={onChanged}
        />
        <DeleteButton
          instanceRef={instanceRef}
          disabled={!deleteAllowed}
          onDeleted={props.onDeleted}
        />
      </Box>
    </Tooltip>
  );
}

function InstanceView(props: { instanceRef: MysqlInstanceRef }) {
  const { instanceRef } = props;
  const { entity } = useEntity();
  const { loading, detail, error, reload, update } = useInstance(instanceRef);
  // The backend checks writes against the entity it recorded for this
  // exact instance, so the buttons ask about that one too.
  const { allowed } = usePermission({
    permission: mysqlInstanceConfigUpdatePermission,
    resourceRef: detail?.entityRef ?? stringifyEntityRef(entity),
  });
  const { allowed: deleteAllowed } = usePermission({
    permission: mysqlInstanceDeletePermission,
    resourceRef: detail?.entityRef ?? stringifyEntityRef(entity),
  });
  const { allowed: backupAllowed } = usePermission({
    permission: mysqlInstanceBackupCreatePermission,
    resourceRef: detail?.entityRef ?? stringifyEntityRef(entity),
  });
  // A restore creates a database and reads this one's data: the backend
  // checks both, so the button asks about both.
  const { allowed: createAllowed } = usePermission({
    permission: mysqlInstanceCreatePermission,
  });
  const [editing, setEditing] = useState(false);
  const [deleted, setDeleted] = useState<DeleteMysqlInstanceResponse>();
  const now = useNow();

  if (deleted) {
    return (
      <Alert severity="success">
        <AlertTitle>{instanceRef.name} was deleted</AlertTitle>
        Deleted: {deleted.deleted.join(', ') || 'nothing was left'}.
        {deleted.kept.length > 0 && <> Kept: {deleted.kept.join(', ')}.</>} The
        catalog entity goes at the catalog's next refresh.
      </Alert>
    );
  }

  if (loading) {
    return <Progress />;
  }
  if (!detail) {
    if (isBackendMissing(error)) {
      return <BackendMissing />;
    }
    return <ResponseErrorPanel error={error ?? new Error('No data')} />;
  }

  const { status } = detail;
  const changing =
    status.phase === 'Reconciling' ||
    status.phase === 'Provisioning' ||
    status.phase === 'Deleting';
  return (
    <>
      {changing && <LinearProgress aria-label={`${status.phase} progress`} />}
      <Box display="flex" alignItems="center" gridGap={8} flexWrap="wrap">
        <StatusChip status={status} />
        {status.message && status.phase !== 'Degraded' && (
          <Typography variant="body2" color="textSecondary">
            {status.message}
          </Typography>
        )}
        <Box flexGrow={1} />
        <Actions
          instanceRef={instanceRef}
          detail={detail}
          allowed={allowed}
          deleteAllowed={deleteAllowed}
          onEdit={() => setEditing(true)}
          onChanged={update}
          onDeleted={result =>
            // A delete after a final backup has not happened yet: the
            // card shows the instance Deleting until it has.
            result.pending ? reload() : setDeleted(result)
          }
        />
      </Box>
      {status.phase === 'Degraded' && (
        <Alert severity="warning">
          {status.message ?? 'The instance is degraded.'}
        </Alert>
      )}
      {error && (
        <Alert severity="warning">
          Could not refresh: {errorMessage(error)}
        </Alert>
      )}
      {detail.upgrade && <UpgradeNotice upgrade={detail.upgrade} now={now} />}
      {detail.restore && <RestoreNotice restore={detail.restore} />}
      <Box marginY={1}>
        <VersionInfo detail={detail} now={now} />
      </Box>
      <Typography variant="subtitle2">Connection</Typography>
      <ConnectionInfo connection={detail.connection} />
      <Typography variant="subtitle2">Configuration</Typography>
      <ConfigTable config={detail.config} />
      <Box marginTop={2}>
        <BackupsSection
          instanceRef={instanceRef}
          detail={detail}
          defaultOwner={ownerOf(entity) ?? detail.owner}
          now={now}
          backupAllowed={backupAllowed}
          restoreAllowed={createAllowed && allowed}
        />
      </Box>
      <Box marginTop={2}>
        <Typography variant="subtitle2">Recent history</Typography>
        <HistoryList history={detail.history} now={now} />
      </Box>
      {editing && (
        <EditConfigDialog
          instanceRef={instanceRef}
          detail={detail}
          onClose={() => setEditing(false)}
          onSaved={saved => {
            update(saved);
            setEditing(false);
          }}
          onReload={reload}
        />
      )}
    </>
  );
}

/**
 * The MySQL card for the current entity: status, server version against
 * the image, uptime, configuration (desired and running), backups, recent
 * history, how applications connect, and the Edit configuration, Upgrade
 * version, Restart, Delete, Back up now and Restore actions.
 *
 * @public
 */
export function MySqlCard() {
  const { entity } = useEntity();
  const annotation = entity.metadata.annotations?.[MYSQL_INSTANCE_ANNOTATION];
  const instanceRef = useMemo(() => {
    try {
      return annotation ? parseInstanceRef(annotation) : undefined;
    } catch {
      return undefined;
    }
  }, [annotation]);

  if (!annotation) {
    return (
      <MissingAnnotationEmptyState annotation={MYSQL_INSTANCE_ANNOTATION} />
    );
  }
  return (
    <InfoCard title="MySQL" subheader={annotation}>
      {instanceRef ? (
        <InstanceView instanceRef={instanceRef} />
      ) : (
        <WarningPanel
          title="Invalid annotation"
          message={`${MYSQL_INSTANCE_ANNOTATION} must be <cluster>/<namespace>/<name>, not "${annotation}".`}
        />
      )}
    </InfoCard>
  );
}
