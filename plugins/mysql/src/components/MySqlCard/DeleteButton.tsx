import { useApi } from '@backstage/core-plugin-api';
import {
  DeleteMysqlInstanceResponse,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import Checkbox from '@material-ui/core/Checkbox';
import DialogContentText from '@material-ui/core/DialogContentText';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { mysqlApiRef } from '../../api';
import { ConfirmButton } from './ConfirmButton';

/**
 * A Delete button whose dialog asks for the instance's name to be typed,
 * whether to keep the data volume (kept unless unticked), and whether to
 * take a final backup first (then the backend answers at once and deletes
 * once the backup completed).
 */
export function DeleteButton(props: {
  instanceRef: MysqlInstanceRef;
  disabled?: boolean;
  onDeleted: (result: DeleteMysqlInstanceResponse) => void;
}) {
  const { instanceRef, disabled, onDeleted } = props;
  const api = useApi(mysqlApiRef);
  const [typed, setTyped] = useState('');
  const [keepData, setKeepData] = useState(true);
  const [finalBackup, setFinalBackup] = useState(false);

  return (
    <ConfirmButton
      label="Delete"
      title={`Delete ${instanceRef.name}?`}
      confirmLabel="Delete database"
      disabled={disabled}
      confirmDisabled={typed !== instanceRef.name}
      onConfirm={async () =>
        onDeleted(
          await api.deleteInstance(instanceRef, {
            confirm: typed,
            keepData,
            ...(finalBackup ? { finalBackup } : {}),
          }),
        )
      }
      onClosed={() => {
        setTyped('');
        setKeepData(true);
        setFinalBackup(false);
      }}
    >
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
      <FormControlLabel
        control={
          <Checkbox
            checked={finalBackup}
            onChange={e => setFinalBackup(e.target.checked)}
          />
        }
        label="Take a final backup first; the database is deleted once it has completed, and not at all if it fails"
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
    </ConfirmButton>
  );
}
