// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mysql_history', table => {
    table
      .string('event_key', 512)
      .nullable()
      .unique()
      .comment(
        'Set on entries that several replicas may try to write for one event (a rollback): the first insert wins, the others are ignored',
      );
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mysql_history', table => {
    table.dropColumn('event_key');
  });
};
