import { useApi } from '@backstage/core-plugin-api';
import {
  CreateMysqlInstanceResponse,
  MysqlBackup,
  MysqlInstanceDetail,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { errorMessage, mysqlApiRef } from '../../api';
import { BackupTable } from './BackupTable';
import { policyText } from './backupText';
import { RestoreButton, RestoredNote } from './RestoreButton';
import { useBackups } from './useBackups';

/**
 * The instance's backups: the policy, a warning when the last good backup
 * is older than the schedule promised, Back up now, and the latest
 * backups, each completed one with a Restore button.
 */
export function BackupsSection(props: {
  instanceRef: MysqlInstanceRef;
  detail: MysqlInstanceDetail;
  defaultOwner: string;
  now: Date;
  /** Whether the user may back this instance up. */
  backupAllowed: boolean;
  /** Whether the user may create a database from this instance's backups. */
  restoreAllowed: boolean;
}) {
  const { instanceRef, detail, now, backupAllowed, restoreAllowed } = props;
  const api = useApi(mysqlApiRef);
  const { loading, list, error, started } = useBackups(instanceRef);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<Error>();
  const [restored, setRestored] = useState<CreateMysqlInstanceResponse>();
  const running = list?.items.some(b => b.status === 'Running') ?? false;

  const backUp = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      const answer = await api.createBackup(instanceRef);
      // The answer has no start time or location; the next fetch brings them.
      started({
        id: answer.id,
        status: answer.status,
        startedAt: new Date().toISOString(),
        location: '',
        trigger: 'manual',
      });
    } catch (e) {
      setStartError(e as Error);
    } finally {
      setStarting(false);
    }
  };

  let why = '';
  if (!backupAllowed) {
    why = 'You are not allowed to back up this instance';
  } else if (running) {
    why = 'A backup is running';
  }

  const action = (backup: MysqlBackup) =>
    backup.status === 'Completed' && (
      <Tooltip
        title={
          restoreAllowed
            ? ''
            : 'You are not allowed to create databases from these backups'
        }
      >
        <span>
          <RestoreButton
            source={detail}
            backup={backup}
            defaultOwner={props.defaultOwner}
            disabled={!restoreAllowed}
            onRestored={setRestored}
          />
        </span>
      </Tooltip>
    );

  return (
    <section aria-label="Backups">
      <Box display="flex" alignItems="center" gridGap={8} flexWrap="wrap">
        <Typography variant="subtitle2">Backups</Typography>
        {list && (
          <Typography variant="body2" color="textSecondary">
            {policyText(list.policy)}
          </Typography>
        )}
        <Box flexGrow={1} />
        {/* A disabled button fires no events, so the tooltip needs a wrapper. */}
        <Tooltip title={why}>
          <span>
            <Button
              variant="outlined"
              size="small"
              disabled={!backupAllowed || running || starting || !list}
              onClick={backUp}
            >
              Back up now
            </Button>
          </span>
        </Tooltip>
      </Box>
      {list?.stale && <Alert severity="warning">{list.stale}</Alert>}
      {startError && (
        <Alert severity="error" onClose={() => setStartError(undefined)}>
          Could not start a backup: {errorMessage(startError)}
        </Alert>
      )}
      {error && (
        <Alert severity="warning">
          Could not load the backups: {errorMessage(error)}
        </Alert>
      )}
      {restored && (
        <Alert severity="success" onClose={() => setRestored(undefined)}>
          <RestoredNote created={restored} />
        </Alert>
      )}
      {loading && (
        <Typography variant="body2" color="textSecondary">
          Loading backups…
        </Typography>
      )}
      {list && <BackupTable backups={list.items} now={now} action={action} />}
    </section>
  );
}
