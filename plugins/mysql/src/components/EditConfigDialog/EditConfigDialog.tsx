import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
  mysqlVariables,
} from '@mysql-portal/plugin-mysql-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import { errorMessage, isConflict, mysqlApiRef } from '../../api';
import { ChangeSummary } from './ChangeSummary';
import {
  buildConfig,
  FieldValue,
  initialValues,
  planForm,
  rebaseValues,
} from './form';
import { VariableField } from './VariableField';

/** Properties of {@link EditConfigDialog}. */
export interface EditConfigDialogProps {
  instanceRef: MysqlInstanceRef;
  /** The detail when the dialog opened; its `resourceVersion` guards the save. */
  detail: MysqlInstanceDetail;
  onClose: () => void;
  onSaved: (detail: MysqlInstanceDetail) => void;
  /** Fetches the latest detail, after someone else changed the configuration. */
  onReload: () => Promise<MysqlInstanceDetail | undefined>;
}

/**
 * A form generated from the variable catalogue, then a summary of the
 * changes, then Save. Mount it only while open: it keeps the configuration
 * it started from, so that a concurrent edit is caught as a conflict rather
 * than silently overwritten.
 */
export function EditConfigDialog(props: EditConfigDialogProps) {
  const { instanceRef, onClose, onSaved, onReload } = props;
  const api = useApi(mysqlApiRef);
  const [base, setBase] = useState(() => ({
    desired: props.detail.config.desired,
    resourceVersion: props.detail.resourceVersion,
    initial: initialValues(props.detail.config.desired),
  }));
  const [values, setValues] = useState(base.initial);
  const [step, setStep] = useState<'edit' | 'review'>('edit');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const config = useMemo(
    () => buildConfig(base.desired, base.initial, values),
    [base, values],
  );
  const image = props.detail.version.image;
  const mode = props.detail.config.mode;
  const { problems, changes, restarts } = useMemo(
    () => planForm(base.desired, config, mode, image),
    [base, config, mode, image],
  );
  const valid = Object.keys(problems).length === 0;
  const conflict = isConflict(error);

  const setField = (name: string, value: FieldValue) =>
    setValues(current => ({ ...current, [name]: value }));

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onSaved(
        await api.updateConfig(instanceRef, {
          config,
          resourceVersion: base.resourceVersion,
        }),
      );
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    setBusy(true);
    const detail = await onReload();
    setBusy(false);
    if (!detail) {
      return;
    }
    const initial = initialValues(detail.config.desired);
    setValues(current => rebaseValues(base.initial, current, initial));
    setBase({
      desired: detail.config.desired,
      resourceVersion: detail.resourceVersion,
      initial,
    });
    setError(undefined);
    setStep('edit');
  };

  return (
    <Dialog
      open
      onClose={busy ? undefined : onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="mysql-edit-title"
    >
      <DialogTitle id="mysql-edit-title">
        {step === 'edit'
          ? `Edit configuration of ${instanceRef.name}`
          : `Review changes to ${instanceRef.name}`}
      </DialogTitle>
      <DialogContent dividers>
        {conflict && (
          <Alert
            severity="warning"
            action={
              <Button color="inherit" onClick={reload} disabled={busy}>
                Reload
              </Button>
            }
          >
            The configuration was changed by someone else since you opened this
            form. Reload to start from the latest version; your edits are kept.
          </Alert>
        )}
        {error && !conflict && (
          <Alert severity="error">{errorMessage(error)}</Alert>
        )}
        {problems[''] && <Alert severity="error">{problems['']}</Alert>}
        {step === 'edit' &&
          mysqlVariables.map(variable => (
            <VariableField
              key={variable.name}
              variable={variable}
              value={values[variable.name]}
              error={problems[variable.name]}
              mode={props.detail.config.mode}
              onChange={value => setField(variable.name, value)}
            />
          ))}
        {step === 'review' && (
          <ChangeSummary changes={changes} restarts={restarts} />
        )}
      </DialogContent>
      <DialogActions>
        {step === 'edit' ? (
          <>
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button
              color="primary"
              variant="contained"
              disabled={!valid || changes.length === 0}
              onClick={() => setStep('review')}
            >
              Review changes
            </Button>
          </>
        ) : (
          <>
            <Button onClick={() => setStep('edit')} disabled={busy}>
              Back
            </Button>
            <Button
              color="primary"
              variant="contained"
              disabled={!valid || busy || conflict}
              onClick={save}
            >
              Save
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
