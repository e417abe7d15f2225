import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import DialogContentText from '@material-ui/core/DialogContentText';
import { mysqlApiRef } from '../../api';
import { ConfirmButton } from './ConfirmButton';

/** A Restart button that asks for confirmation before it restarts the server. */
export function RestartButton(props: {
  instanceRef: MysqlInstanceRef;
  disabled?: boolean;
  onRestarted: (detail: MysqlInstanceDetail) => void;
}) {
  const { instanceRef, disabled, onRestarted } = props;
  const api = useApi(mysqlApiRef);
  return (
    <ConfirmButton
      label="Restart"
      title={`Restart ${instanceRef.name}?`}
      confirmLabel="Restart server"
      disabled={disabled}
      onConfirm={async () => onRestarted(await api.restart(instanceRef))}
    >
      <DialogContentText>
        The server stops and starts again; open connections are dropped and
        clients must reconnect.
      </DialogContentText>
    </ConfirmButton>
  );
}
