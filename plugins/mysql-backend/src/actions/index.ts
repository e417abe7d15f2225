export { createMysqlActions } from './createMysqlActions';
