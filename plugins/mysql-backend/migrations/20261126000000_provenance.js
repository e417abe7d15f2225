// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_instances', table => {
    table.comment(
      'Every instance the backend created or adopted: its provenance, owner and catalog entity',
    );
    table.string('instance_ref').primary().notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('name').notNullable().index();
    table.string('entity_ref').notNullable().unique();
    table.string('owner').notNullable();
    table.string('created_by').nullable();
    table
      .string('origin')
      .notNullable()
      .comment('created (POST /instances) or adopted (an earlier version)');
    table.text('spec').nullable().comment('JSON of the create request');
    table.dateTime('created_at').notNullable();
    table.dateTime('ready_at').nullable();
  });
  await knex.schema.createTable('mysql_provision_runs', table => {
    table.comment('What each POST /instances created, so it can be undone');
    table.string('id').primary().notNullable();
    table.string('instance_ref').notNullable().index();
    table.string('actor').nullable();
    table.dateTime('started_at').notNullable();
    table
      .text('created')
      .notNullable()
      .comment('JSON [{kind, name, uid}] of the objects the run created');
    table
      .string('claim_uid')
      .nullable()
      .comment('UID of the data volume claim that existed before the run');
    table.dateTime('undone_at').nullable();
  });
  await knex.schema.createTable('mysql_adoptions', table => {
    table.comment(
      'Clusters whose instances from before provenance were adopted',
    );
    table.string('cluster').primary().notNullable();
    table.dateTime('done_at').notNullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_adoptions');
  await knex.schema.dropTable('mysql_provision_runs');
  await knex.schema.dropTable('mysql_instances');
};
