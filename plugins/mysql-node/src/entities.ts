/**
 * The location of the catalog entity of an instance: the entity provider
 * sets it, and the backend trusts an entity for an instance only when its
 * `backstage.io/managed-by-location` is this one.
 *
 * @public
 */
export function instanceLocation(instanceRef: string): string {
  return `mysql-provider:${instanceRef}`;
}
