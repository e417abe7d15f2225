import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  CreateMysqlInstanceResponse,
  MysqlBackup,
  MysqlInstanceDetail,
  formatInstanceRef,
  isDnsLabel,
} from '@mysql-portal/plugin-mysql-common';
import DialogContentText from '@material-ui/core/DialogContentText';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { mysqlApiRef } from '../../api';
import { ConfirmButton } from './ConfirmButton';

/** The longest instance name the backend accepts. */
const MAX_NAME_LENGTH = 40;

/** Why `name` cannot name a new instance, or undefined when it can. */
export function instanceNameProblem(name: string): string | undefined {
  if (isDnsLabel(name, MAX_NAME_LENGTH)) {
    return undefined;
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `At most ${MAX_NAME_LENGTH} characters`;
  }
  return "Lower-case letters, digits and '-', starting and ending with a letter or digit";
}

/** Where the catalog shows the entity `entityRef`. */
export function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`;
}

/**
 * A Restore button for a completed backup, whose dialog asks for the new
 * database's name and owner. The new database goes to the source's
 * cluster and namespace with the source's image, and is filled from the
 * backup once its server is up.
 */
export function RestoreButton(props: {
  source: MysqlInstanceDetail;
  backup: MysqlBackup;
  defaultOwner: string;
  disabled?: boolean;
  onRestored: (created: CreateMysqlInstanceResponse) => void;
}) {
  const { source, backup, defaultOwner, disabled, onRestored } = props;
  const api = useApi(mysqlApiRef);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState(defaultOwner);
  const problem = name ? instanceNameProblem(name) : undefined;

  return (
    <ConfirmButton
      label="Restore"
      title={`Restore backup ${backup.id} into a new database`}
      confirmLabel="Create database"
      disabled={disabled}
      confirmDisabled={!name || !!problem || !owner.trim()}
      onConfirm={async () =>
        onRestored(
          await api.createInstance({
            name,
            owner: owner.trim(),
            cluster: source.cluster,
            namespace: source.namespace,
            version: source.version.image,
            restoreFrom: {
              instance: formatInstanceRef(source),
              backup: backup.id,
            },
          }),
        )
      }
      onClosed={() => {
        setName('');
        setOwner(defaultOwner);
      }}
    >
      <DialogContentText>
        A new database in {source.cluster}/{source.namespace}, running{' '}
        {source.version.image}, starts with the data of {source.name} as backup{' '}
        {backup.id} holds it. {source.name} itself does not change.
      </DialogContentText>
      <TextField
        id="mysql-restore-name"
        label="Name of the new database"
        value={name}
        onChange={e => setName(e.target.value)}
        error={!!problem}
        helperText={
          problem ?? `A DNS label, at most ${MAX_NAME_LENGTH} characters`
        }
        fullWidth
        margin="normal"
        autoComplete="off"
      />
      <TextField
        id="mysql-restore-owner"
        label="Owner"
        value={owner}
        onChange={e => setOwner(e.target.value)}
        helperText="A user or group entity ref"
        fullWidth
        margin="normal"
        autoComplete="off"
      />
    </ConfirmButton>
  );
}

/** Says where the new database of a restore is, and when its data comes. */
export function RestoredNote(props: { created: CreateMysqlInstanceResponse }) {
  const { created } = props;
  return (
    <>
      <Link to={entityPath(created.entityRef)}>{created.name}</Link> is being
      created from the backup; its data loads once its server is up.
    </>
  );
}
