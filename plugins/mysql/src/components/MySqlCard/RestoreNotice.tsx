import { MysqlRestoreStatus } from '@mysql-portal/plugin-mysql-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';

/**
 * Where the instance's data came from, when it was created from a backup:
 * an alert while the restore runs or after it failed, a plain line after
 * it completed.
 */
export function RestoreNotice(props: { restore: MysqlRestoreStatus }) {
  const { status, source, message } = props.restore;
  const from = `backup ${source.backup} of ${source.instance}`;
  switch (status) {
    case 'Completed':
      return (
        <Typography variant="body2" color="textSecondary">
          Restored from {from}.
        </Typography>
      );
    case 'Failed':
      return (
        <Alert severity="error">
          Restoring from {from} failed{message ? `: ${message}` : '.'}
        </Alert>
      );
    default:
      return (
        <Alert severity="info">
          {status === 'Pending'
            ? `Waiting for the server to restore from ${from}…`
            : `Restoring from ${from}…`}
          {message ? ` ${message}` : ''}
        </Alert>
      );
  }
}
