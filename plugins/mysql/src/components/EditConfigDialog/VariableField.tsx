import { formatSize, MysqlVariable } from '@mysql-portal/plugin-mysql-common';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputAdornment from '@material-ui/core/InputAdornment';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { changeEffectText, defaultValue, ReconcilerMode } from '../variables';
import { FieldValue } from './form';

/** Properties of {@link VariableField}. */
export interface VariableFieldProps {
  variable: MysqlVariable;
  value: FieldValue;
  error?: string;
  /** The backend's reconciler mode, which decides whether a change restarts. */
  mode?: ReconcilerMode;
  onChange: (value: FieldValue) => void;
}

function limits(variable: MysqlVariable): string | undefined {
  const { type, min, max, values } = variable;
  if (type === 'size' && min !== undefined && max !== undefined) {
    return `${formatSize(min)} to ${formatSize(
      max,
    )}; an integer with an optional K, M, G or T suffix (powers of 1024).`;
  }
  if (min !== undefined && max !== undefined) {
    return `${min} to ${max}.`;
  }
  if (type === 'set' && values) {
    return 'Any combination of the listed modes.';
  }
  return undefined;
}

function helperText(props: VariableFieldProps): string {
  const { variable, error, mode } = props;
  const lines = [
    error ?? limits(variable),
    variable.description,
    `Default: ${defaultValue(variable)}.`,
    changeEffectText(variable.name, mode),
  ];
  return lines.filter(Boolean).join(' ');
}

function unitAdornment(variable: MysqlVariable) {
  if (!variable.unit || variable.type === 'size') {
    return undefined;
  }
  return <InputAdornment position="end">{variable.unit}</InputAdornment>;
}

/**
 * The input for one catalogue variable: a number field, a size field that
 * accepts suffixes, a switch, a select, a multi-select or a text field.
 * Init-only variables are shown read-only. The label is the variable name.
 */
export function VariableField(props: VariableFieldProps) {
  const { variable, value, error, onChange } = props;
  const { name, type } = variable;
  const id = `mysql-field-${name}`;
  const helper = helperText(props);
  const readOnly = variable.apply === 'init';

  if (type === 'boolean') {
    return (
      <FormControl margin="dense" fullWidth error={!!error}>
        <FormControlLabel
          label={name}
          control={
            <Switch
              id={id}
              checked={value === true}
              disabled={readOnly}
              onChange={event => onChange(event.target.checked)}
              inputProps={{ 'aria-describedby': `${id}-helper-text` }}
            />
          }
        />
        <FormHelperText id={`${id}-helper-text`}>{helper}</FormHelperText>
      </FormControl>
    );
  }

  if (type === 'set') {
    return (
      <Autocomplete
        id={id}
        multiple
        disableCloseOnSelect
        disabled={readOnly}
        options={[...(variable.values ?? [])]}
        value={Array.isArray(value) ? value : []}
        onChange={(_event, selected) =>
          onChange(
            (variable.values ?? []).filter(item => selected.includes(item)),
          )
        }
        renderInput={params => (
          <TextField
            {...params}
            label={name}
            margin="dense"
            error={!!error}
            helperText={helper}
          />
        )}
      />
    );
  }

  if (type === 'enum') {
    return (
      <TextField
        id={id}
        select
        fullWidth
        margin="dense"
        label={name}
        value={String(value)}
        disabled={readOnly}
        error={!!error}
        helperText={helper}
        onChange={event => onChange(event.target.value)}
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
      >
        <option value="">(server default: {defaultValue(variable)})</option>
        {(variable.values ?? []).map(option => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </TextField>
    );
  }

  const numeric = type === 'integer' || type === 'float';
  return (
    <TextField
      id={id}
      fullWidth
      margin="dense"
      label={name}
      type={numeric ? 'number' : 'text'}
      value={String(value)}
      placeholder={`default ${defaultValue(variable)}`}
      disabled={readOnly}
      error={!!error}
      helperText={helper}
      onChange={event => onChange(event.target.value)}
      InputLabelProps={{ shrink: true }}
      InputProps={{ endAdornment: unitAdornment(variable) }}
      inputProps={{
        min: variable.min,
        max: variable.max,
        step: type === 'float' ? 'any' : 1,
        inputMode: numeric ? 'decimal' : undefined,
      }}
    />
  );
}
