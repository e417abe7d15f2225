import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { errorMessage, mysqlApiRef } from '../../api';

/** A Restart button that asks for confirmation before it restarts the server. */
export function RestartButton(props: {
  instanceRef: MysqlInstanceRef;
  disabled?: boolean;
  onRestarted: (detail: MysqlInstanceDetail) => void;
}) {
  const { instanceRef, disabled, onRestarted } = props;
  const api = useApi(mysqlApiRef);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const close = () => {
    setOpen(false);
    setError(undefined);
  };

  const restart = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onRestarted(await api.restart(instanceRef));
      setOpen(false);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button
        variant="outlined"
        size="small"
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        Restart
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby="mysql-restart-title">
        <DialogTitle id="mysql-restart-title">
          Restart {instanceRef.name}?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            The server stops and starts again; open connections are dropped and
            clients must reconnect.
          </DialogContentText>
          {error && <Alert severity="error">{errorMessage(error)}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={restart}
            disabled={busy}
          >
            Restart server
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
