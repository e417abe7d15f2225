import { MysqlInstanceDetail } from '@mysql-portal/plugin-mysql-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import {
  changeEffect,
  changeEffectText,
  displayValue,
  sortVariableNames,
  unitOf,
} from '../variables';

const useStyles = makeStyles(theme => ({
  pending: {
    backgroundColor: theme.palette.type === 'dark' ? '#4d3b00' : '#fff4d6',
  },
  name: {
    fontFamily: 'monospace',
  },
}));

const EFFECT_LABELS = {
  restart: 'restart',
  live: 'live',
  fixed: 'fixed',
};

/**
 * The configuration as desired (my.cnf) and as running (what the server
 * reports). Rows the backend lists as pending are highlighted. Variables
 * the server reports but my.cnf does not set are behind a toggle.
 */
export function ConfigTable(props: { config: MysqlInstanceDetail['config'] }) {
  const { desired, applied, pending, mode } = props.config;
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const configured = sortVariableNames(Object.keys(desired));
  const others = sortVariableNames(Object.keys(applied)).filter(
    name => !(name in desired),
  );
  const names = showAll ? [...configured, ...others] : configured;
  const pendingSet = new Set(pending);

  return (
    <>
      <Table size="small" aria-label="Configuration">
        <TableHead>
          <TableRow>
            <TableCell>Variable</TableCell>
            <TableCell>Desired value</TableCell>
            <TableCell>Running value</TableCell>
            <TableCell>Unit</TableCell>
            <TableCell>On change</TableCell>
            <TableCell>State</TableCell>
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
                <TableCell>{unitOf(name)}</TableCell>
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
                my.cnf sets no variables; the server runs its defaults.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      {others.length > 0 && (
        <Button size="small" onClick={() => setShowAll(!showAll)}>
          {showAll
            ? 'Show only configured variables'
            : `Show all ${configured.length + others.length} variables`}
        </Button>
      )}
    </>
  );
}
