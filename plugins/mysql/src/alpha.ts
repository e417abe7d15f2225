/**
 * The MySQL plugin for the new frontend system.
 *
 * @packageDocumentation
 */

export {
  mysqlPlugin as default,
  mysqlPlugin,
  mysqlApi,
  mysqlEntityCard,
  mysqlFleetPage,
} from './alpha/plugin';
