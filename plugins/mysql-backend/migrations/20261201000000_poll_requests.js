// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_poll_requests', table => {
    table.comment(
      'Polls asked for by any replica, run by the replica that holds the global poll task',
    );
    table.string('instance_ref').primary().notNullable();
    table.dateTime('requested_at').notNullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_poll_requests');
};
