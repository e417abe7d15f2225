import { MysqlInstanceDetail } from '@mysql-portal/plugin-mysql-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import {
  changeEffect,
  changeEffectText,
  displayValue,
  KEY_VARIABLES,
  sortVariableNames,
  unitOf,
} from '../variables';

const useStyles = makeStyles(theme => ({
  pending: {
    backgroundColor: theme.palette.type === 'dark' ? '#4d3b00' : '#fff4d6',
  },
  name: {
    fontFamily: 'monospace',
    whiteSpace: 'nowrap',
  },
  // Names, units and headers never break inside: innodb_buffer_pool_size
  // split over two lines reads as two things.
  nowrap: {
    whiteSpace: 'nowrap',
  },
}));

const EFFECT_LABELS = {
  restart: 'restart',
  live: 'live',
  fixed: 'fixed',
};

/**
 * The configuration as desired (my.cnf) and as running (what the server
 * reports). Rows the backend lists as pending are highlighted. The key
 * running values ({@link KEY_VARIABLES}) show even when my.cnf does not set
 * them; the other variables the server reports are behind a toggle.
 */
export function ConfigTable(props: { config: MysqlInstanceDetail['config'] }) {
  const { desired, applied, pending, mode } = props.config;
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const configured = Object.keys(desired);
  const shown = sortVariableNames([
    ...configured,
    ...KEY_VARIABLES.filter(name => applied[name] !== undefined),
  ]);
  const others = Object.keys(applied).filter(name => !shown.includes(name));
  const names = showAll ? sortVariableNames([...shown, ...others]) : shown;
  const pendingSet = new Set(pending);

  return (
    <>
      {configured.length === 0 && names.length > 0 && (
        <Typography variant="body2" color="textSecondary">
          my.cnf sets no variables; the server runs its defaults.
        </Typography>
      )}
      <TableContainer>
        <Table size="small" aria-label="Configuration">
          <TableHead>
            <TableRow>
              <TableCell className={classes.nowrap}>Variable</TableCell>
              <TableCell className={classes.nowrap}>Desired value</TableCell>
              <TableCell className={classes.nowrap}>Running value</TableCell>
              <TableCell className={classes.nowrap}>Unit</TableCell>
              <TableCell className={classes.nowrap}>On change</TableCell>
              <TableCell className={classes.nowrap}>State</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {names.map(name => {
              const isPending = pendingSet.has(name);
              return (
                <TableRow
                  key={name}
                  className={isPending ? classes.pending : undefined}
                  data-pending={isPending ? 'true' : undefined}
                >
                  <TableCell className={classes.name}>{name}</TableCell>
                  <TableCell>{displayValue(name, desired[name])}</TableCell>
                  <TableCell>{displayValue(name, applied[name])}</TableCell>
                  <TableCell className={classes.nowrap}>
                    {unitOf(name)}
                  </TableCell>
                  <TableCell>
                    <Tooltip title={changeEffectText(name, mode)}>
                      <span>{EFFECT_LABELS[changeEffect(name, mode)]}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell>
                    {isPending && (
                      <Tooltip title="The server does not run this value yet">
                        <Chip label="pending" size="small" color="secondary" />
                      </Tooltip>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
            {names.length === 0 && (
              <TableRow>
                <TableCell colSpan={6}>
                  my.cnf sets no variables; the server runs its defaults, which
                  show here once it has answered.
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      {others.length > 0 && (
        <Button size="small" onClick={() => setShowAll(!showAll)}>
          {showAll
            ? 'Show only key and configured variables'
            : `Show all ${shown.length + others.length} variables`}
        </Button>
      )}
    </>
  );
}
