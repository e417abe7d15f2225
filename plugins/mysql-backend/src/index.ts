/**
 * The MySQL backend plugin: reconciler, version poller and REST API.
 *
 * @packageDocumentation
 */

export { mysqlPlugin as default } from './plugin';
