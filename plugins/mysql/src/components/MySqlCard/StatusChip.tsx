import { MysqlInstanceStatus } from '@mysql-portal/plugin-mysql-common';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import CloudOffIcon from '@material-ui/icons/CloudOff';
import DeleteIcon from '@material-ui/icons/Delete';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import WarningIcon from '@material-ui/icons/Warning';

const useStyles = makeStyles(theme => ({
  Running: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  Reconciling: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  Provisioning: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  Degraded: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  Unreachable: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  Deleting: {
    backgroundColor: theme.palette.grey[600],
    color: theme.palette.common.white,
  },
  icon: {
    color: 'inherit',
  },
}));

function PhaseIcon(props: { phase: MysqlInstanceStatus['phase'] }) {
  switch (props.phase) {
    case 'Running':
      return <CheckCircleIcon />;
    case 'Reconciling':
      return (
        <CircularProgress
          size={16}
          color="inherit"
          aria-label="Applying configuration"
        />
      );
    case 'Provisioning':
      return <HourglassEmptyIcon />;
    case 'Degraded':
      return <WarningIcon />;
    case 'Deleting':
      return <DeleteIcon />;
    default:
      return <CloudOffIcon />;
  }
}

/** The instance's phase as a coloured chip whose text is the phase name. */
export function StatusChip(props: { status: MysqlInstanceStatus }) {
  const classes = useStyles();
  const { phase } = props.status;
  return (
    <Chip
      label={phase}
      size="small"
      className={classes[phase]}
      classes={{ icon: classes.icon }}
      icon={<PhaseIcon phase={phase} />}
      role="status"
      data-testid="mysql-status"
    />
  );
}
