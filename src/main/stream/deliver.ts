import { listValue } from '@duckdb/node-api'
import type { DuckDbFile } from '../warehouse/duckdb-file'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
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
  /** Set when the batch could not be read and was moved to the outbox's quarantine folder: what to tell the person. */
  quarantined?: string
}

/** Test seams: code to run inside the transaction, to show a failure there loses and doubles nothing. */
export interface DeliveryHooks {
  beforeCommit?: (batch: PendingBatch) => void | Promise<void>
}

/** Most events one delivery transaction takes: a backlog lands in a few large transactions, not one per batch. */
export const DELIVERY_GROUP_EVENTS = 20_000

/**
 * Stores one outbox batch in `events_intraday` in one transaction, each event id at most once ever
 * (`stream_receipts`), then removes the batch from the outbox. A crash before the commit leaves the
 * batch pending; a crash after it makes the next delivery a no-op.
 */
export async function deliverBatch(
  file: DuckDbFile,
  outbox: Outbox,
  batch: PendingBatch,
  hooks: DeliveryHooks = {},
): Promise<DeliveryResult> {
  const [result] = await deliverBatches(file, outbox, [batch], hooks)
  return result!
}

/**
 * Stores several outbox batches in ONE transaction, as `deliverBatch` stores one: a continuous stream
 * writes a small batch five times a second, and a transaction each (with its commit) costs more than
 * the events in it, so per-batch delivery fell behind and held the file while it did.
 */
export async function deliverBatches(
  file: DuckDbFile,
  outbox: Outbox,
  batches: PendingBatch[],
  hooks: DeliveryHooks = {},
): Promise<DeliveryResult[]> {
  if (batches.length === 0) return []
  const { connection } = file
  await connection.run('begin transaction')
  try {
    await connection.run(
      `create or replace temp table stream_batch as
        select * exclude (filename),
          list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value as stream_event_id,
          regexp_extract(filename, '([^/\\\\]+)\\.ndjson$', 1) as stream_batch_id
        from read_json($paths, format = 'newline_delimited', compression = 'uncompressed', filename = true, columns = ${ga4JsonColumns()})`,
      { paths: listValue(batches.map((batch) => batch.path)) },
    )
    // The first copy of an event id wins: the oldest batch's (batch ids sort by time), then the earliest.
    await connection.run(`
      create or replace temp table stream_new as
        select * from stream_batch as batch
        where not exists (select 1 from ${RAW_SCHEMA}.stream_receipts as receipt where receipt.event_id = batch.stream_event_id)
        qualify row_number() over (partition by stream_event_id order by stream_batch_id, event_timestamp) = 1`)
    await connection.run(
      `insert into ${RAW_SCHEMA}.events_intraday by name select * exclude (stream_event_id, stream_batch_id) from stream_new`,
    )
    await connection.run(
      `insert into ${RAW_SCHEMA}.stream_receipts select stream_event_id, now()::timestamp, stream_batch_id from stream_new`,
    )
    const ids = await connection.runAndReadAll(`
      select batch.stream_batch_id, batch.stream_event_id, bool_or(new.stream_event_id is not null) as is_new
      from (select distinct stream_batch_id, stream_event_id from stream_batch) as batch
      left join stream_new as new using (stream_batch_id, stream_event_id)
      group by all`)
    for (const batch of batches) await hooks.beforeCommit?.(batch)
    await connection.run('commit')
    for (const batch of batches) outbox.markSent(batch)
    const rows = ids.getRows()
    return batches.map((batch) => {
      const own = rows.filter((row) => row[0] === batch.batchId)
      return {
        batchId: batch.batchId,
        received: batch.events,
        addedEventIds: own.filter((row) => row[2] === true).map((row) => String(row[1])),
        duplicateEventIds: own.filter((row) => row[2] !== true).map((row) => String(row[1])),
      }
    })
  } catch (error) {
    // A failed rollback (DuckDB already ended the transaction) must not hide why the delivery failed.
    await connection.run('rollback').catch(() => undefined)
    throw error
  } finally {
    await connection.run('drop table if exists stream_batch; drop table if exists stream_new')
  }
}

/** Delivers the outbox's pending batches into the warehouse's `events_intraday` (see deliverPending). */
export async function deliverOutbox(warehouse: EmbeddedWarehouse, outbox: Outbox, hooks?: DeliveryHooks): Promise<DeliveryResult[]> {
  if (outbox.pending().length === 0) return []
  return warehouse.writeSession((file) => deliverPending(file, outbox, hooks))
}

/**
 * Delivers every pending batch, oldest first, in transactions of up to DELIVERY_GROUP_EVENTS events;
 * a failed group stays pending, except that a batch that cannot be read is moved to the quarantine
 * folder (its result says so) and the rest of its group is delivered without it.
 */
export async function deliverPending(file: DuckDbFile, outbox: Outbox, hooks: DeliveryHooks = {}): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = []
  let group: PendingBatch[] = []
  let groupEvents = 0
  for (const batch of outbox.pending()) {
    if (group.length > 0 && groupEvents + batch.events > DELIVERY_GROUP_EVENTS) {
      results.push(...(await deliverGroup(file, outbox, group, hooks)))
      group = []
      groupEvents = 0
    }
    group.push(batch)
    groupEvents += batch.events
  }
  results.push(...(await deliverGroup(file, outbox, group, hooks)))
  return results
}

/** Delivers a group; when it fails, sets aside its damaged batches and delivers the others, else rethrows. */
async function deliverGroup(file: DuckDbFile, outbox: Outbox, group: PendingBatch[], hooks: DeliveryHooks): Promise<DeliveryResult[]> {
  try {
    return await deliverBatches(file, outbox, group, hooks)
  } catch (error) {
    // Only on failure are the batches read here: a good delivery reads each file once, in DuckDB.
    const damaged = group.map((batch) => ({ batch, reason: damageOf(outbox, batch) })).filter((entry) => entry.reason !== undefined)
    if (damaged.length === 0) throw error
    const setAside: DeliveryResult[] = damaged.map(({ batch, reason }) => ({
      batchId: batch.batchId,
      received: 0,
      addedEventIds: [],
      duplicateEventIds: [],
      quarantined: outbox.quarantine(batch, reason ?? 'unreadable'),
    }))
    const rest = group.filter((batch) => !damaged.some((entry) => entry.batch === batch))
    return [...setAside, ...(await deliverBatches(file, outbox, rest, hooks))]
  }
}

function damageOf(outbox: Outbox, batch: PendingBatch): string | undefined {
  try {
    return outbox.damageOf(batch)
  } catch (error) {
    // Gone meanwhile (delivered by another run) is not damage; an unreadable file is.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `cannot be read: ${(error as Error).message}`
  }
}
