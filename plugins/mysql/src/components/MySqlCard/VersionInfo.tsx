import {
  MysqlInstanceDetail,
  parseServerVersion,
  versionMatchesImage,
} from '@mysql-portal/plugin-mysql-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { formatAgo, formatDuration } from '../time';

/** Whether the server runs the version its image promises; unknown counts as a match. */
export function versionMismatch(
  version: MysqlInstanceDetail['version'],
): boolean {
  if (!version.server || !version.image) {
    return false;
  }
  const parsed = parseServerVersion(version.server, version.comment);
  return parsed !== undefined && !versionMatchesImage(parsed, version.image);
}

/** Debian's builds report `(Debian)` as their comment, brackets and all. */
function unbracketed(comment: string) {
  return comment.replace(/^\((.*)\)$/, '$1');
}

/**
 * The server version beside the declared image, with a warning when they
 * differ, the uptime and how long ago the server was polled. `now` makes
 * both counters move between polls.
 */
export function VersionInfo(props: { detail: MysqlInstanceDetail; now: Date }) {
  const { detail, now } = props;
  const { version } = detail;
  const polledAt = version.lastPolledAt
    ? new Date(version.lastPolledAt)
    : undefined;
  const sincePoll = polledAt
    ? Math.max(0, (now.getTime() - polledAt.getTime()) / 1000)
    : 0;
  return (
    <>
      <Typography variant="body2">
        <strong>Server:</strong>{' '}
        <span data-testid="mysql-server-version">
          {version.server ?? 'not polled yet'}
        </span>
        {version.comment ? ` (${unbracketed(version.comment)})` : ''} ·{' '}
        <strong>Image:</strong> <code>{version.image}</code>
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {detail.uptimeSeconds !== undefined && (
          <>Up {formatDuration(detail.uptimeSeconds + sincePoll)} · </>
        )}
        {polledAt ? `polled ${formatAgo(polledAt, now)}` : 'never polled'}
      </Typography>
      {versionMismatch(version) && (
        <Alert severity="warning" role="alert">
          The server runs {version.server}, which is not the version the image{' '}
          {version.image} declares.
        </Alert>
      )}
    </>
  );
}
