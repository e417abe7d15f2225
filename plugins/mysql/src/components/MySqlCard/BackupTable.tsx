import { MysqlBackup } from '@mysql-portal/plugin-mysql-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { formatAgo } from '../time';
import { BackupStatusChip } from './BackupStatusChip';
import { backupDuration, backupSize } from './backupText';

const useStyles = makeStyles({
  location: {
    fontFamily: 'monospace',
    wordBreak: 'break-all',
  },
  // Short values and headers stay on one line; the location takes what is left.
  nowrap: {
    whiteSpace: 'nowrap',
  },
});

/** How many backups the card lists. */
const SHOWN = 10;

/**
 * The latest backups, newest first: state, when each started and how long
 * it took, its size and where the dump is. A failed one shows why.
 * `action` renders the button of a row, if any.
 */
export function BackupTable(props: {
  backups: MysqlBackup[];
  now: Date;
  action?: (backup: MysqlBackup) => ReactNode;
}) {
  const { backups, now, action } = props;
  const classes = useStyles();
  return (
    <TableContainer>
      <Table size="small" aria-label="Backups">
        <TableHead>
          <TableRow>
            <TableCell className={classes.nowrap}>State</TableCell>
            <TableCell className={classes.nowrap}>Started</TableCell>
            <TableCell className={classes.nowrap}>Took</TableCell>
            <TableCell className={classes.nowrap}>Size</TableCell>
            <TableCell>Location</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {backups.slice(0, SHOWN).map(backup => (
            <TableRow key={backup.id} data-backup-id={backup.id}>
              <TableCell>
                <BackupStatusChip status={backup.status} />
              </TableCell>
              <TableCell>
                <span title={backup.startedAt}>
                  {formatAgo(new Date(backup.startedAt), now)}
                </span>
                <Typography variant="caption" display="block">
                  {backup.trigger}
                  {backup.actor ? ` by ${backup.actor}` : ''}
                </Typography>
              </TableCell>
              <TableCell className={classes.nowrap}>
                <span title={backup.completedAt}>
                  {backupDuration(backup, now)}
                </span>
              </TableCell>
              <TableCell className={classes.nowrap}>
                <span
                  title={
                    backup.sizeBytes === undefined
                      ? undefined
                      : `${backup.sizeBytes} bytes`
                  }
                >
                  {backupSize(backup.sizeBytes)}
                </span>
              </TableCell>
              <TableCell className={classes.location}>
                {backup.location || '–'}
                {backup.status === 'Failed' && backup.message && (
                  <Typography variant="body2" color="error">
                    {backup.message}
                  </Typography>
                )}
              </TableCell>
              <TableCell className={classes.nowrap}>
                {action?.(backup)}
              </TableCell>
            </TableRow>
          ))}
          {backups.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>No backups yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
