import { MysqlBackupStatus } from '@mysql-portal/plugin-mysql-common';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';

const useStyles = makeStyles(theme => ({
  Running: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  Completed: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  Failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  icon: {
    color: 'inherit',
  },
}));

function StatusIcon(props: { status: MysqlBackupStatus }) {
  switch (props.status) {
    case 'Running':
      return <CircularProgress size={14} color="inherit" />;
    case 'Completed':
      return <CheckCircleIcon />;
    default:
      return <ErrorIcon />;
  }
}

/** A backup's state as a coloured chip whose text is the state's name. */
export function BackupStatusChip(props: { status: MysqlBackupStatus }) {
  const classes = useStyles();
  const { status } = props;
  return (
    <Chip
      label={status}
      size="small"
      className={classes[status]}
      classes={{ icon: classes.icon }}
      icon={<StatusIcon status={status} />}
    />
  );
}
