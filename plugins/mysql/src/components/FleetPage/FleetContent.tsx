import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  MYSQL_INSTANCE_PHASES,
  MysqlInstancePhase,
} from '@mysql-portal/plugin-mysql-common';
import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TablePagination from '@material-ui/core/TablePagination';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  FleetFilters,
  filtersFromSearch,
  filtersToSearch,
  listQueryOf,
  PAGE_SIZES,
} from './fleetQuery';
import { FleetTable } from './FleetTable';
import { useFleet } from './useFleet';

/** How long typing pauses before a text filter is asked for. */
const TYPING_PAUSE_MS = 400;

/**
 * A text field whose value reaches the filters once typing pauses, so
 * that each keystroke is not a request.
 */
function TextFilterField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  const { label, value, onChange, placeholder } = props;
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return undefined;
    const timer = setTimeout(() => onChange(text), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <TextField
      id={`mysql-fleet-${label.toLocaleLowerCase('en-US')}`}
      label={label}
      value={text}
      placeholder={placeholder}
      size="small"
      variant="outlined"
      onChange={event => setText(event.target.value)}
      onKeyDown={event => {
        if (event.key === 'Enter') onChange(text);
      }}
    />
  );
}

function countText(count: number, needsAttention: boolean) {
  const instances = count === 1 ? '1 instance' : `${count} instances`;
  if (!needsAttention) return instances;
  return `${instances} ${count === 1 ? 'needs' : 'need'} attention`;
}

/**
 * The fleet page's content, in both frontend systems: filters (name,
 * owner, cluster, phase, needs attention) kept in the page's address and
 * sent to `GET /instances` as query parameters, one page of instances, and
 * paging. Every row links to its entity page.
 */
export function FleetContent() {
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const query = useMemo(() => listQueryOf(filters), [filters]);
  const { value, error, loading } = useFleet(query);

  const update = useMemo(
    () => (change: Partial<FleetFilters>) => {
      // Any other filter starts again from the first page.
      const page = change.page ?? 0;
      setSearch(
        previous =>
          filtersToSearch({ ...filtersFromSearch(previous), ...change, page }),
        { replace: true },
      );
    },
    [setSearch],
  );
  const textSetters = useMemo(
    () => ({
      q: (q: string) => update({ q }),
      owner: (owner: string) => update({ owner }),
      cluster: (cluster: string) => update({ cluster }),
    }),
    [update],
  );

  const now = new Date();
  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 16 }}
      >
        <TextFilterField
          label="Name"
          placeholder="part of the name"
          value={filters.q}
          onChange={textSetters.q}
        />
        <TextFilterField
          label="Owner"
          placeholder="team-a or group:default/team-a"
          value={filters.owner}
          onChange={textSetters.owner}
        />
        <TextFilterField
          label="Cluster"
          value={filters.cluster}
          onChange={textSetters.cluster}
        />
        <TextField
          select
          id="mysql-fleet-phase"
          label="Phase"
          size="small"
          variant="outlined"
          style={{ minWidth: 160 }}
          value={filters.phase ?? ''}
          onChange={event =>
            update({
              phase: (event.target.value as MysqlInstancePhase) || undefined,
            })
          }
        >
          <MenuItem value="">Any</MenuItem>
          {MYSQL_INSTANCE_PHASES.map(phase => (
            <MenuItem key={phase} value={phase}>
              {phase}
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel
          control={
            <Checkbox
              checked={filters.needsAttention}
              onChange={event =>
                update({ needsAttention: event.target.checked })
              }
              color="primary"
            />
          }
          label="Needs attention"
        />
      </Box>
      {value && error && (
        <WarningPanel
          severity="warning"
          title="Could not refresh the list"
          message={error.message}
        />
      )}
      {!value && error && <ResponseErrorPanel error={error} />}
      {!value && !error && <Progress />}
      {value && (
        <>
          <Box height={4}>{loading && <LinearProgress />}</Box>
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="mysql-fleet-count"
          >
            {countText(value.totalCount, filters.needsAttention)}
          </Typography>
          {value.items.length === 0 ? (
            <EmptyState
              missing="data"
              title={
                search.toString()
                  ? 'No instance matches these filters'
                  : 'No MySQL instances yet'
              }
              description="Only the instances whose catalog entity you may read are listed."
            />
          ) : (
            <FleetTable items={value.items} now={now} />
          )}
          <TablePagination
            component="div"
            count={value.totalCount}
            page={
              value.totalCount > 0 &&
              filters.page * filters.pageSize >= value.totalCount
                ? Math.max(
                    0,
                    Math.ceil(value.totalCount / filters.pageSize) - 1,
                  )
                : filters.page
            }
            rowsPerPage={filters.pageSize}
            rowsPerPageOptions={PAGE_SIZES}
            onPageChange={(_event, page) => update({ page })}
            onRowsPerPageChange={event =>
              update({ pageSize: Number(event.target.value) })
            }
          />
        </>
      )}
    </>
  );
}
