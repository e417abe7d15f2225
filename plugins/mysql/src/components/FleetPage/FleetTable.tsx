import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  formatInstanceRef,
  MysqlInstancePhase,
  MysqlInstanceSummary,
} from '@mysql-portal/plugin-mysql-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import WarningIcon from '@material-ui/icons/Warning';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { formatAgo, formatDuration } from '../time';

const useStyles = makeStyles({
  // Names, phases, ages and headers stay on one line; messages and the
  // reasons for attention wrap.
  nowrap: {
    whiteSpace: 'nowrap',
  },
});

const PHASE_INDICATORS: Record<MysqlInstancePhase, typeof StatusOK> = {
  Running: StatusOK,
  Provisioning: StatusPending,
  Reconciling: StatusPending,
  Degraded: StatusWarning,
  Unreachable: StatusError,
  Deleting: StatusPending,
};

function Caption(props: { children: ReactNode }) {
  return (
    <Typography variant="caption" display="block" color="textSecondary">
      {props.children}
    </Typography>
  );
}

function Status(props: { item: MysqlInstanceSummary; now: Date }) {
  const { phase, message, since } = props.item.status;
  const Indicator = PHASE_INDICATORS[phase] ?? StatusAborted;
  const classes = useStyles();
  return (
    <>
      <span className={classes.nowrap}>
        <Indicator>{phase}</Indicator>
      </span>
      <Caption>
        since {formatAgo(new Date(since), props.now)}
        {message && phase !== 'Running' ? ` · ${message}` : ''}
      </Caption>
    </>
  );
}

function Version(props: { item: MysqlInstanceSummary }) {
  const { version, drift } = props.item;
  return (
    <>
      <code>{version.image || 'no image'}</code>
      <Caption>
        {drift ? (
          <Tooltip
            title={`The server runs ${version.server}, not the version the image ${version.image} declares`}
          >
            <span data-testid="mysql-fleet-drift">
              <WarningIcon
                fontSize="inherit"
                style={{ verticalAlign: 'middle' }}
              />{' '}
              runs {version.server} (drift)
            </span>
          </Tooltip>
        ) : (
          `runs ${version.server ?? 'not polled yet'}`
        )}
      </Caption>
    </>
  );
}

function LastBackup(props: { item: MysqlInstanceSummary; now: Date }) {
  const completedAt = props.item.lastBackup?.completedAt;
  if (!completedAt) return <>never</>;
  return (
    <Tooltip title={completedAt}>
      <span>{formatAgo(new Date(completedAt), props.now)}</span>
    </Tooltip>
  );
}

function Attention(props: { item: MysqlInstanceSummary }) {
  const reasons = props.item.needsAttention ?? [];
  if (reasons.length === 0) return <StatusOK>none</StatusOK>;
  return (
    <>
      {reasons.map(reason => (
        <StatusWarning key={`${reason.kind}:${reason.message}`}>
          {reason.message}
        </StatusWarning>
      ))}
    </>
  );
}

/**
 * One page of the fleet: each instance with its status, age, image and
 * running version (drift marked), pending restart, last good backup,
 * owner and why it needs attention; its name links to its entity page.
 */
export function FleetTable(props: {
  items: MysqlInstanceSummary[];
  now: Date;
}) {
  const { items, now } = props;
  const classes = useStyles();
  return (
    <TableContainer>
      <Table size="small" aria-label="MySQL instances">
        <TableHead>
          <TableRow>
            <TableCell className={classes.nowrap}>Database</TableCell>
            <TableCell className={classes.nowrap}>Status</TableCell>
            <TableCell className={classes.nowrap}>Age</TableCell>
            <TableCell className={classes.nowrap}>Image and version</TableCell>
            <TableCell className={classes.nowrap}>Restart</TableCell>
            <TableCell className={classes.nowrap}>Last good backup</TableCell>
            <TableCell className={classes.nowrap}>Owner</TableCell>
            <TableCell className={classes.nowrap}>Needs attention</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(item => {
            const ref = formatInstanceRef(item);
            return (
              <TableRow key={ref} data-instance={ref}>
                <TableCell className={classes.nowrap}>
                  <EntityRefLink entityRef={item.entityRef} hideIcon>
                    {item.name}
                  </EntityRefLink>
                  <Caption>
                    {item.cluster}/{item.namespace}
                  </Caption>
                </TableCell>
                <TableCell>
                  <Status item={item} now={now} />
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {item.createdAt
                    ? formatDuration(
                        (now.getTime() - new Date(item.createdAt).getTime()) /
                          1000,
                      )
                    : '—'}
                </TableCell>
                <TableCell>
                  <Version item={item} />
                </TableCell>
                <TableCell>{item.pendingRestart ? 'pending' : '—'}</TableCell>
                <TableCell className={classes.nowrap}>
                  <LastBackup item={item} now={now} />
                </TableCell>
                <TableCell className={classes.nowrap}>
                  <EntityRefLink
                    entityRef={item.owner}
                    defaultKind="group"
                    hideIcon
                  />
                </TableCell>
                <TableCell>
                  <Attention item={item} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
