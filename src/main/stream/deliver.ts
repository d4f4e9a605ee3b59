import type { DuckDbFile } from '../warehouse/duckdb-file'
import { RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { ga4JsonColumns } from '../warehouse/ga4-schema'
import type { Outbox, PendingBatch } from './outbox'

/** What one delivery stored. */
export interface DeliveryResult {
  batchId: string
  received: number
  /** Event ids stored now, and those the warehouse already had (a retry or a replay). */
  addedEventIds: string[]
  duplicateEventIds: string[]
}

/** Test seams: code to run inside the transaction, to show a failure there loses and doubles nothing. */
export interface DeliveryHooks {
  beforeCommit?: (batch: PendingBatch) => void | Promise<void>
}

/**
 * Stores one outbox batch in `events_intraday` in one transaction, each event id at most once ever
 * (`stream_receipts`), then removes the batch from the outbox. A crash before the commit leaves the
 * batch pending; a crash after it makes the next delivery a no-op.
 */
export async function deliverBatch(file: DuckDbFile, outbox: Outbox, batch: PendingBatch, hooks: DeliveryHooks = {}): Promise<DeliveryResult> {
  const { connection } = file
  await connection.run('begin transaction')
  try {
    await connection.run(
      `create or replace temp table stream_batch as
        select *, list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value as stream_event_id
        from read_json($path, format = 'newline_delimited', compression = 'uncompressed', columns = ${ga4JsonColumns()})`,
      { path: batch.path },
    )
    await connection.run(`
      create or replace temp table stream_new as
        select * from stream_batch as batch
        where not exists (select 1 from ${RAW_SCHEMA}.stream_receipts as receipt where receipt.event_id = batch.stream_event_id)
        qualify row_number() over (partition by stream_event_id order by event_timestamp) = 1`)
    await connection.run(`insert into ${RAW_SCHEMA}.events_intraday by name select * exclude (stream_event_id) from stream_new`)
    await connection.run(
      `insert into ${RAW_SCHEMA}.stream_receipts select stream_event_id, now()::timestamp, $batch from stream_new`,
      { batch: batch.batchId },
    )
    const ids = await connection.runAndReadAll(`
      select stream_event_id, stream_event_id in (select stream_event_id from stream_new) as is_new
      from (select distinct stream_event_id from stream_batch)`)
    await hooks.beforeCommit?.(batch)
    await connection.run('commit')
    outbox.markSent(batch)
    const rows = ids.getRows()
    return {
      batchId: batch.batchId,
      received: batch.events,
      addedEventIds: rows.filter((row) => row[1] === true).map((row) => String(row[0])),
      duplicateEventIds: rows.filter((row) => row[1] !== true).map((row) => String(row[0])),
    }
  } catch (error) {
    await connection.run('rollback')
    throw error
  } finally {
    await connection.run('drop table if exists stream_batch; drop table if exists stream_new')
  }
}

/** Delivers every pending batch, oldest first; stops at the first failure, which stays pending. */
export async function deliverPending(file: DuckDbFile, outbox: Outbox, hooks: DeliveryHooks = {}): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = []
  for (const batch of outbox.pending()) results.push(await deliverBatch(file, outbox, batch, hooks))
  return results
}
