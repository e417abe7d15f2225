import { useApi } from '@backstage/core-plugin-api';
import {
  DeleteMysqlInstanceResponse,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { errorMessage, mysqlApiRef } from '../../api';

/**
 * A Delete button whose dialog asks for the instance's name to be typed,
 * and whether to keep the data volume (kept unless unticked).
 */
export function DeleteButton(props: {
  instanceRef: MysqlInstanceRef;
  disabled?: boolean;
  onDeleted: (result: DeleteMysqlInstanceResponse) => void;
}) {
  const { instanceRef, disabled, onDeleted } = props;
  const api = useApi(mysqlApiRef);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [keepData, setKeepData] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const close = () => {
    setOpen(false);
    setTyped('');
    setKeepData(true);
    setError(undefined);
  };

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.deleteInstance(instanceRef, {
        confirm: typed,
        keepData,
      });
      close();
      onDeleted(result);
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
        Delete
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby="mysql-delete-title">
        <DialogTitle id="mysql-delete-title">
          Delete {instanceRef.name}?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            The server stops and its StatefulSet, Services and ConfigMap are
            deleted, and the database leaves the catalog. Its history stays.
          </DialogContentText>
          <FormControlLabel
            control={
              <Checkbox
                checked={keepData}
                onChange={e => setKeepData(e.target.checked)}
              />
            }
            label="Keep the data volume and the Secret with its passwords, so that a new database of this name can use the data"
          />
          <TextField
            id="mysql-delete-confirm"
            label={`Type ${instanceRef.name} to confirm`}
            value={typed}
            onChange={e => setTyped(e.target.value)}
            fullWidth
            margin="normal"
            autoComplete="off"
          />
          {!keepData && (
            <Alert severity="warning">
              The data volume is deleted too: the data is gone for good.
            </Alert>
          )}
          {error && <Alert severity="error">{errorMessage(error)}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={remove}
            disabled={busy || typed !== instanceRef.name}
          >
            Delete database
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
