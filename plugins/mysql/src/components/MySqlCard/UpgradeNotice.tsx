import { MysqlUpgradeStatus } from '@mysql-portal/plugin-mysql-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { formatAgo } from '../time';

const RUNNING_TEXT = {
  BackingUp: 'taking a backup first',
  Upgrading: 'waiting for the new server to start',
  RollingBack: 'it did not start, so the old image is being put back',
};

/**
 * The last version upgrade: an alert while it runs or when it did not end
 * well, a plain line once it completed.
 */
export function UpgradeNotice(props: {
  upgrade: MysqlUpgradeStatus;
  now: Date;
}) {
  const { upgrade, now } = props;
  const { status, from, to, backup, message } = upgrade;
  let backupText = '';
  if (backup) {
    backupText =
      status === 'BackingUp'
        ? ` Backup ${backup} is running.`
        : ` Backup ${backup} was taken first.`;
  }
  const detail = message ? ` ${message.replace(/\.$/, '')}.` : '';
  switch (status) {
    case 'BackingUp':
    case 'Upgrading':
    case 'RollingBack':
      return (
        <Alert severity="info">
          Upgrading from {from} to {to}: {RUNNING_TEXT[status]}…{backupText}
        </Alert>
      );
    case 'Completed':
      return (
        <Typography variant="body2" color="textSecondary">
          Upgraded from {from} to {to}{' '}
          <span title={upgrade.at}>{formatAgo(new Date(upgrade.at), now)}</span>
          .{backupText}
        </Typography>
      );
    case 'RolledBack':
      return (
        <Alert severity="warning">
          The upgrade from {from} to {to} was rolled back.{detail}
          {backupText}
        </Alert>
      );
    default:
      return (
        <Alert severity="error">
          The upgrade from {from} to {to} failed.{detail}
          {backupText}
        </Alert>
      );
  }
}
