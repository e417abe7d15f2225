import { MysqlHistoryEntry } from '@mysql-portal/plugin-mysql-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { formatAgo } from '../time';

const SHOWN = 5;

/** The latest entries of the instance's history, newest first. */
export function HistoryList(props: {
  history: MysqlHistoryEntry[];
  now: Date;
}) {
  const entries = [...props.history]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, SHOWN);
  if (entries.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No history yet.
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label="Recent history">
      {entries.map(entry => (
        <ListItem
          key={`${entry.at}-${entry.kind}-${entry.message}`}
          disableGutters
        >
          <ListItemText
            primary={`${entry.kind}: ${entry.message}`}
            secondary={
              <span title={entry.at}>
                {formatAgo(new Date(entry.at), props.now)}
                {entry.actor ? ` by ${entry.actor}` : ''}
              </span>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
