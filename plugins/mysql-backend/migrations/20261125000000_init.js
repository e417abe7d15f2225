// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_observations', table => {
    table.comment('The latest poll of each MySQL instance');
    table.string('instance_ref').primary().notNullable();
    table.boolean('reachable').notNullable();
    table.string('version').nullable();
    table.string('version_comment').nullable();
    table.bigInteger('uptime_seconds').nullable();
    table
      .text('variables')
      .nullable()
      .comment('JSON map of catalogue variables');
    table.text('error').nullable();
    table.dateTime('polled_at').notNullable();
  });
  await knex.schema.createTable('mysql_history', table => {
    table.comment('Edits, restarts, rollbacks and version changes');
    table.increments('id');
    table.string('instance_ref').notNullable().index();
    table.dateTime('at').notNullable();
    table.string('kind').notNullable();
    table.string('actor').nullable();
    table.text('message').notNullable();
  });
  await knex.schema.createTable('mysql_status', table => {
    table.comment('The phase of each instance and since when');
    table.string('instance_ref').primary().notNullable();
    table.string('phase').notNullable();
    table.text('message').nullable();
    table.dateTime('since').notNullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_status');
  await knex.schema.dropTable('mysql_history');
  await knex.schema.dropTable('mysql_observations');
};
