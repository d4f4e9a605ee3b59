import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { createDemoSandbox, demoWarehousePathOf, hasImportedData, readDemoSandbox } from '../demo/demo-sandbox'
import { UserFacingError } from '../errors'
import { StreamSource } from '../stream/stream-source'
import { OutboxSender, deliverToFile, outboxFor } from '../stream/outbox-sender'
import { type DuckDbFile, withDuckDbFile } from '../warehouse/duckdb-file'
import { queryRecentUsers } from '../warehouse/duckdb-queries'
import { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { wholeNumberFlag } from './flags'

const MAX_COUNT = 10_000_000
const MAX_RATE = 1_000_000
const DEFAULT_BATCH = 1_000
const RETURNING_USERS = 200

/** The flags `stream` reads, as parseArgs gives them. */
export interface StreamFlags {
  count?: string
  rate?: string
  seed?: string
  'batch-size'?: string
  continuous?: boolean
  'into-sandbox'?: boolean
  'allow-demo-in-real-data'?: boolean
}

/**
 * Where `stream` writes: the warehouse itself, unless it holds imported exports; then only with
 * `--into-sandbox` (the app's demo copy beside it, made when missing) or `--allow-demo-in-real-data`.
 */
export async function streamTarget(
  warehouse: EmbeddedWarehouse,
  values: Pick<StreamFlags, 'into-sandbox' | 'allow-demo-in-real-data'>,
): Promise<EmbeddedWarehouse> {
  if (values['into-sandbox'] === true && values['allow-demo-in-real-data'] === true) {
    throw new UserFacingError('Choose one of --into-sandbox and --allow-demo-in-real-data.')
  }
  const hasImported =
    existsSync(warehouse.path) &&
    (await warehouse.exclusive(() => withDuckDbFile(warehouse.path, { readOnly: true }, (file) => hasImportedData(file.connection))))
  if (values['into-sandbox'] === true) {
    if (!readDemoSandbox(warehouse.path)) {
      const info = await warehouse.exclusive(() => createDemoSandbox(warehouse.path))
      process.stderr.write(`made the demo copy ${info.location} of ${warehouse.path} (${info.events} events, ${info.copyMs} ms)\n`)
    }
    await warehouse.close()
    return new EmbeddedWarehouse(demoWarehousePathOf(warehouse.path))
  }
  if (hasImported && values['allow-demo-in-real-data'] !== true) {
    throw new UserFacingError(
      `${warehouse.path} holds imported GA4 exports: made-up demo events would mix with them. ` +
        'Stream into its demo copy with --into-sandbox (what the app does), or add --allow-demo-in-real-data to write into it anyway.',
    )
  }
  return warehouse
}

/** `attribution stream`: live GA4 events into `events_intraday` through the durable outbox. */
export async function runStream(given: EmbeddedWarehouse, values: StreamFlags): Promise<void> {
  const warehouse = await streamTarget(given, values)
  process.stderr.write(`streaming demo events into ${warehouse.path}${warehouse === given ? '' : ` (the demo copy of ${given.path})`}\n`)
  const count = wholeNumberFlag('--count', values.count, values.continuous ? MAX_COUNT : 10, 0, MAX_COUNT)
  const rate = values.rate === undefined ? undefined : wholeNumberFlag('--rate', values.rate, 0, 1, MAX_RATE)
  const batchSize = wholeNumberFlag('--batch-size', values['batch-size'], rate ?? DEFAULT_BATCH, 1, MAX_RATE)
  const seed = values.seed === undefined ? undefined : wholeNumberFlag('--seed', values.seed, 0, 0, 2 ** 31 - 1)
  try {
    await warehouse.writeSession((file) =>
      streamInto(file, warehouse.path, { count, rate, batchSize, seed, isContinuous: values.continuous === true }),
    )
  } finally {
    if (warehouse !== given) await warehouse.close()
  }
}

async function streamInto(
  file: DuckDbFile,
  path: string,
  options: { count: number; rate: number | undefined; batchSize: number; seed: number | undefined; isContinuous: boolean },
): Promise<void> {
  const { count, rate, batchSize, seed } = options
  const streamer = new OutboxSender(deliverToFile(file), outboxFor(path))
  const totals = { queued: 0, added: 0, duplicates: 0, rejected: 0, recovered: 0 }

  for (const delivery of await streamer.recover()) {
    totals.recovered += delivery.addedEventIds.length
    process.stderr.write(
      delivery.quarantined
        ? `${delivery.quarantined}\n`
        : `delivered pending batch ${delivery.batchId}: ${delivery.addedEventIds.length} new, ${delivery.duplicateEventIds.length} duplicates\n`,
    )
  }
  let isStopping = false
  const stop = () => {
    isStopping = true
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  const source = new StreamSource({ seed, knownUsers: await queryRecentUsers(file.connection, RETURNING_USERS) })
  let sent = 0
  while (sent < count && !isStopping) {
    const started = Date.now()
    const size = Math.min(batchSize, count - sent)
    const result = await streamer.burst(source, size)
    sent += size
    totals.queued += result.queued
    totals.rejected += result.rejected.length
    for (const delivery of result.deliveries) {
      if (delivery.quarantined) process.stderr.write(`${delivery.quarantined}\n`)
      totals.added += delivery.addedEventIds.length
      totals.duplicates += delivery.duplicateEventIds.length
    }
    process.stderr.write(
      `queued ${result.queued} events (${sent} of ${options.isContinuous ? 'continuous' : count}); stored ${totals.added} new, ${totals.duplicates} duplicates so far\n`,
    )
    if (rate !== undefined) await sleep(Math.max(0, (size / rate) * 1000 - (Date.now() - started)))
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`)
}
