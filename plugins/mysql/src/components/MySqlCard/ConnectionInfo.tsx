import { CodeSnippet } from '@backstage/core-components';
import { MysqlConnectionDetails } from '@mysql-portal/plugin-mysql-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';

/**
 * Where applications connect: host, port, database, user and the Secret
 * that holds the password, with an `env:` snippet to paste into a pod in
 * the instance's namespace. The password itself is never shown.
 */
export function ConnectionInfo(props: { connection: MysqlConnectionDetails }) {
  const { connection } = props;
  return (
    <>
      <Typography variant="body2">
        <code>
          {connection.host}:{connection.port}
        </code>
        {connection.database && (
          <>
            {' '}
            · database <code>{connection.database}</code>
          </>
        )}
        {connection.user && (
          <>
            {' '}
            · user <code>{connection.user}</code>
          </>
        )}{' '}
        · password in Secret <code>{connection.secretName}</code>, key{' '}
        <code>{connection.passwordKey}</code>
      </Typography>
      <Accordion elevation={0} square>
        <AccordionSummary expandIcon={<ExpandMoreIcon />}>
          <Typography variant="body2">
            Environment for a pod in this namespace
          </Typography>
        </AccordionSummary>
        <AccordionDetails>
          <CodeSnippet
            text={connection.env}
            language="yaml"
            showCopyCodeButton
          />
        </AccordionDetails>
      </Accordion>
    </>
  );
}
