import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { ReactNode, useState } from 'react';
import { errorMessage } from '../../api';

/**
 * A card action that opens a dialog and runs `onConfirm` only when the
 * user confirms; a failure is shown in the dialog, which stays open.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  confirmLabel: string;
  disabled?: boolean;
  /** Keeps the confirm button disabled, e.g. until a name is typed. */
  confirmDisabled?: boolean;
  onConfirm: () => Promise<void>;
  /** Called whenever the dialog closes, to reset the caller's fields. */
  onClosed?: () => void;
  children: ReactNode;
}) {
  const { label, title, confirmLabel, disabled, onConfirm, onClosed } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  // aria-labelledby takes a list of ids separated by spaces.
  const titleId = `mysql-${label.toLowerCase().replace(/\W+/g, '-')}-title`;

  const close = () => {
    setOpen(false);
    setError(undefined);
    onClosed?.();
  };

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      close();
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
        {label}
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby={titleId}>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          {props.children}
          {error && <Alert severity="error">{errorMessage(error)}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={confirm}
            disabled={busy || props.confirmDisabled}
          >
            {confirmLabel}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
