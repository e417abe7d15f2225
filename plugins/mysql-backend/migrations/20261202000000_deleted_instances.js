// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_deleted_instances', table => {
    table.comment(
      'Instances deleted through the portal; their history stays, and a namesake created later does not show it',
    );
    table.increments('id');
    table.string('instance_ref').notNullable().index();
    table.string('entity_ref').notNullable();
    table.string('owner').notNullable();
    table.string('deleted_by').nullable();
    table.dateTime('deleted_at').notNullable();
    table.boolean('kept_data').notNullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_deleted_instances');
};
