export { EditConfigDialog } from './EditConfigDialog';
export type { EditConfigDialogProps } from './EditConfigDialog';
