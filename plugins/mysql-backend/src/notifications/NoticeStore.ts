import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

/**
 * One row per event an owner was told of (table `mysql_notices`). Whoever
 * inserts the row first owns the event; every other replica finds the row
 * taken and sends nothing, so each event is sent once however many
 * replicas see it, on every database Backstage supports.
 */
export class NoticeStore {
  constructor(private readonly db: Knex) {}

  /** Claims `key`; true only for the one caller whose insert made the row. */
  async claim(key: string, ref: string): Promise<boolean> {
    const token = randomUUID();
    await this.db('mysql_notices')
      .insert({
        event_key: key,
        instance_ref: ref,
        claimed_by: token,
        claimed_at: new Date(),
      })
      .onConflict('event_key')
      .ignore();
    const row = await this.db('mysql_notices')
      .where({ event_key: key })
      .first('claimed_by');
    return row?.claimed_by === token;
  }

  /** Gives `key` up, so the next event of that name is sent again. */
  async release(key: string): Promise<void> {
    await this.db('mysql_notices').where({ event_key: key }).delete();
  }
}
