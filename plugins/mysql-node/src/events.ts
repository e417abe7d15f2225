/**
 * Topic of the events service on which the mysql backend announces that
 * its instance records changed (created, adopted, removed) or that an
 * instance's StatefulSet appeared or went; the catalog module then reads
 * `GET /api/mysql/instances` again. The payload carries nothing.
 *
 * @public
 */
export const MYSQL_INSTANCES_TOPIC = 'mysql.instances';
