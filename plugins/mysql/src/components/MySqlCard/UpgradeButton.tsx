import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
  MysqlUpgradeCheck,
  checkMysqlUpgrade,
} from '@mysql-portal/plugin-mysql-common';
import DialogContentText from '@material-ui/core/DialogContentText';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { mysqlApiRef } from '../../api';
import { ConfirmButton } from './ConfirmButton';

const KIND_TEXT = {
  patch: 'A patch update within the same series.',
  series:
    'An upgrade to the next series; the server upgrades its data on first start.',
};

/** What the image field says about `requested`, and whether it can be sent. */
function checkImage(
  current: string,
  requested: string,
): { ok: boolean; text?: string } {
  if (!requested) {
    return { ok: false };
  }
  if (requested === current) {
    return { ok: false, text: `The server runs ${current} already` };
  }
  const check: MysqlUpgradeCheck = checkMysqlUpgrade(current, requested);
  return check.allowed
    ? { ok: true, text: KIND_TEXT[check.kind] }
    : { ok: false, text: check.reason };
}

/**
 * An Upgrade version button whose dialog takes the new image, checks the
 * path as it is typed, and upgrades after a backup.
 */
export function UpgradeButton(props: {
  instanceRef: MysqlInstanceRef;
  detail: MysqlInstanceDetail;
  disabled?: boolean;
  onUpgraded: (detail: MysqlInstanceDetail) => void;
}) {
  const { instanceRef, detail, disabled, onUpgraded } = props;
  const api = useApi(mysqlApiRef);
  const [image, setImage] = useState('');
  const current = detail.version.image;
  const requested = image.trim();
  const { ok, text } = checkImage(current, requested);

  return (
    <ConfirmButton
      label="Upgrade version"
      title={`Upgrade ${instanceRef.name}`}
      confirmLabel="Upgrade"
      disabled={disabled}
      confirmDisabled={!ok}
      onConfirm={async () =>
        onUpgraded(
          await api.updateVersion(instanceRef, {
            image: requested,
            resourceVersion: detail.resourceVersion,
          }),
        )
      }
      onClosed={() => setImage('')}
    >
      <DialogContentText>
        The server runs <code>{current}</code>
        {detail.version.server ? ` (${detail.version.server})` : ''}. A backup
        is taken first, then the server restarts on the new image. A version
        that cannot start is rolled back to <code>{current}</code>; if it fails
        after it began upgrading the data, the backup can be restored into a new
        database.
      </DialogContentText>
      <TextField
        id="mysql-upgrade-image"
        label="New image"
        placeholder={current}
        value={image}
        onChange={e => setImage(e.target.value)}
        error={!!requested && !ok}
        helperText={text ?? 'For example mysql:8.4.5'}
        fullWidth
        margin="normal"
        autoComplete="off"
      />
    </ConfirmButton>
  );
}
