// @ts-check

/**
 * @param { import("knex").Knex } knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mysql_backups', table => {
    table.comment('Logical backups of instances, one row per backup Job');
    table.string('id').primary();
    table.string('instance_ref').notNullable().index();
    table.string('status').notNullable();
    table.string('target').notNullable();
    table.string('location', 1024).notNullable();
    table.string('trigger').notNullable();
    table.string('actor').nullable();
    table.string('job_name').notNullable();
    table.dateTime('started_at').notNullable();
    table.dateTime('completed_at').nullable();
    table.bigInteger('size_bytes').nullable();
    table.text('message').nullable();
    table
      .dateTime('pruned_at')
      .nullable()
      .comment('When retention removed the dump from its target');
  });
  await knex.schema.createTable('mysql_backup_policies', table => {
    table.comment(
      'When each instance is backed up; defaults apply without a row',
    );
    table.string('instance_ref').primary();
    table.string('target').notNullable();
    table.string('schedule').notNullable();
    table.integer('retention').notNullable();
    table.dateTime('next_run_at').nullable();
    table.string('updated_by').nullable();
  });
  await knex.schema.createTable('mysql_restores', table => {
    table.comment(
      'Instances created from a backup, and how their restore went',
    );
    table.string('instance_ref').primary();
    table.string('source_ref').notNullable();
    table.string('backup_id').notNullable();
    table.string('status').notNullable();
    table.string('job_name').nullable();
    table.text('message').nullable();
    table.dateTime('created_at').notNullable();
    table.dateTime('completed_at').nullable();
  });
};

/**
 * @param { import("knex").Knex } knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mysql_restores');
  await knex.schema.dropTable('mysql_backup_policies');
  await knex.schema.dropTable('mysql_backups');
};
