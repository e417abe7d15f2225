import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Alert from '@material-ui/lab/Alert';
import { ConfigChange } from './form';

/** The changes about to be saved, old → new, and whether they restart the server. */
export function ChangeSummary(props: {
  changes: ConfigChange[];
  restarts: boolean;
}) {
  const { changes, restarts } = props;
  return (
    <>
      <Table size="small" aria-label="Changes">
        <TableHead>
          <TableRow>
            <TableCell>Variable</TableCell>
            <TableCell>Change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {changes.map(change => (
            <TableRow key={change.name}>
              <TableCell>{change.name}</TableCell>
              <TableCell>{`${change.before} → ${change.after}`}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {restarts && (
        <Alert severity="info">
          Saving restarts the server to apply the new configuration; open
          connections are dropped.
        </Alert>
      )}
    </>
  );
}
