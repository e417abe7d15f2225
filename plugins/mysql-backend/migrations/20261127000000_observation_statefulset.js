// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mysql_observations', table => {
    table
      .string('statefulset_uid')
      .nullable()
      .comment('UID of the StatefulSet whose server was polled');
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mysql_observations', table => {
    table.dropColumn('statefulset_uid');
  });
};
