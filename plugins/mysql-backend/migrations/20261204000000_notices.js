// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_notices', table => {
    table.comment(
      'Events the owners were told of, one row per event: the replica that inserts the row sends the notification, so two replicas never send it twice',
    );
    table.string('event_key', 512).primary().notNullable();
    table.string('instance_ref').notNullable().index();
    table.string('claimed_by').notNullable();
    table.dateTime('claimed_at').notNullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_notices');
};
