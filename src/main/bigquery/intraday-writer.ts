import type { BigQuery, Table } from '@google-cloud/bigquery'
import type { Ga4Event } from '@shared/ga4-event'
import type { BigQuerySettings, DeadLetter } from '@shared/settings-api'
import { UserFacingError } from '../errors'
import { splitGa4Dataset } from '../settings/app-settings'
import { describeBigQueryError, errorReasons, networkErrorCode } from './bigquery-client'
import { GA4_BIGQUERY_SCHEMA } from './ga4-bigquery-schema'

/** BigQuery's recommended most rows per streaming request. */
export const MAX_ROWS_PER_REQUEST = 500
/** Projects whose datasets the app never writes to. */
const READ_ONLY_PROJECTS = new Set(['bigquery-public-data'])
const TRANSIENT_REASONS = new Set(['backendError', 'internalError', 'timeout', 'stopped', 'rateLimitExceeded'])

/** The dead letters of this session, newest last, bounded so a flood cannot exhaust memory. */
export class DeadLetterList {
  private readonly letters: DeadLetter[] = []
  constructor(private readonly capacity = 1000) {}

  add(letters: readonly DeadLetter[]): void {
    this.letters.push(...letters)
    if (this.letters.length > this.capacity) this.letters.splice(0, this.letters.length - this.capacity)
  }

  list(): DeadLetter[] {
    return [...this.letters]
  }

  clear(): void {
    this.letters.length = 0
  }
}

/** What one call to `insertIntradayEvents` did. */
export interface IntradayInsertReport {
  /** Rows BigQuery accepted (a row it had already seen under the same insertId counts too). */
  accepted: number
  deadLetters: DeadLetter[]
  /** insertAll requests sent, retries included. */
  requests: number
  retries: number
}

/** How the writer runs; `sleep` and the delays are there so tests need not wait. */
export interface IntradayWriterOptions {
  client: BigQuery
  settings: Pick<BigQuerySettings, 'projectId' | 'ga4Dataset' | 'location'>
  deadLetters?: DeadLetterList
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  log?: (line: string) => void
  now?: () => Date
}

interface PendingRow {
  insertId: string
  json: Ga4Event
}

/** The dataset events are streamed to: the GA4 dataset, but only when it is in the person's own project. */
export function streamingTarget(settings: Pick<BigQuerySettings, 'projectId' | 'ga4Dataset'>): { project: string; dataset: string } {
  const target = splitGa4Dataset(settings)
  if (READ_ONLY_PROJECTS.has(target.project)) {
    throw new UserFacingError(
      `${target.project}.${target.dataset} is Google's public, read-only sample: streaming needs a GA4 dataset in your own project.`,
    )
  }
  if (target.project !== settings.projectId) {
    throw new UserFacingError(
      `The app streams only into a dataset of your own project (${settings.projectId}); ${target.project}.${target.dataset} belongs to another project.`,
    )
  }
  return target
}

/**
 * Streams raw GA4 rows into `events_intraday_YYYYMMDD` of the person's own dataset, at most 500 per
 * request, with `insertId` = the `event_id` param. Transient failures are retried with the same
 * insertIds; rows BigQuery calls invalid become dead letters. The models' de-duplication stays the
 * guarantee: BigQuery's insertId de-duplication is best effort.
 */
export async function insertIntradayEvents(rows: readonly Ga4Event[], options: IntradayWriterOptions): Promise<IntradayInsertReport> {
  const target = streamingTarget(options.settings)
  const now = options.now ?? (() => new Date())
  const report: IntradayInsertReport = { accepted: 0, deadLetters: [], requests: 0, retries: 0 }
  const byTable = new Map<string, PendingRow[]>()
  for (const row of rows) {
    const eventId = row.event_params?.find((param) => param.key === 'event_id')?.value.string_value ?? null
    const table = /^\d{8}$/.test(row.event_date ?? '') ? `events_intraday_${row.event_date}` : null
    if (!eventId || !table) {
      report.deadLetters.push({
        eventId,
        eventName: typeof row.event_name === 'string' ? row.event_name : null,
        table: table ?? '(none)',
        reason: eventId ? 'bad_event_date' : 'no_event_id',
        message: eventId ? 'event_date must be YYYYMMDD.' : 'The event has no event_id param, so it cannot be de-duplicated.',
        failedAt: now().toISOString(),
      })
      continue
    }
    const pending = byTable.get(table) ?? []
    pending.push({ insertId: eventId, json: row })
    byTable.set(table, pending)
  }
  const dataset = options.client.dataset(target.dataset, { projectId: target.project, location: options.settings.location })
  for (const [tableName, pending] of byTable) {
    const table = await ensureIntradayTable(dataset.table(tableName), options)
    for (let start = 0; start < pending.length; start += MAX_ROWS_PER_REQUEST) {
      await insertChunk(table, tableName, pending.slice(start, start + MAX_ROWS_PER_REQUEST), options, report, now)
    }
  }
  options.deadLetters?.add(report.deadLetters)
  if (report.deadLetters.length > 0)
    options.log?.(`Streaming: ${report.deadLetters.length} event(s) refused as invalid; see the dead-letter list.`)
  return report
}

async function ensureIntradayTable(table: Table, options: IntradayWriterOptions): Promise<Table> {
  const context = { projectId: options.settings.projectId }
  try {
    const [exists] = await table.exists()
    if (exists) return table
    await table.create({ schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) } })
  } catch (error) {
    if (errorReasons(error).status !== 409) throw new UserFacingError(describeBigQueryError(error, context))
  }
  return table
}

async function insertChunk(
  table: Table,
  tableName: string,
  chunk: PendingRow[],
  options: IntradayWriterOptions,
  report: IntradayInsertReport,
  now: () => Date,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 5
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  let pending = chunk
  for (let attempt = 1; pending.length > 0; attempt++) {
    report.requests++
    let retry: PendingRow[] = []
    let failure: unknown
    try {
      // raw: our insertIds go out as they are; partialRetries 0: the retry policy is ours.
      await table.insert(pending, { raw: true, skipInvalidRows: true, ignoreUnknownValues: false, partialRetries: 0 })
      report.accepted += pending.length
    } catch (error) {
      const partial = partialFailures(error)
      if (partial) {
        const failedIds = new Set<string>()
        for (const { row, errors } of partial) {
          failedIds.add(row.insertId)
          const reasons = errors.map((inner) => inner.reason ?? '')
          if (reasons.every((reason) => TRANSIENT_REASONS.has(reason))) retry.push(row)
          else {
            const invalid = errors.find((inner) => !TRANSIENT_REASONS.has(inner.reason ?? '')) ?? errors[0]
            report.deadLetters.push({
              eventId: row.insertId,
              eventName: row.json.event_name ?? null,
              table: tableName,
              reason: invalid?.reason ?? 'invalid',
              message: (invalid?.message ?? 'BigQuery refused the row.').slice(0, 500),
              failedAt: now().toISOString(),
            })
          }
        }
        report.accepted += pending.filter((row) => !failedIds.has(row.insertId)).length
      } else if (isTransient(error)) {
        retry = pending
        failure = error
      } else {
        throw new UserFacingError(describeBigQueryError(error, { projectId: options.settings.projectId }))
      }
    }
    if (retry.length === 0) return
    if (attempt >= maxAttempts) {
      throw new UserFacingError(
        `Streaming to ${tableName} failed ${attempt} times; ${retry.length} event(s) were not confirmed. ` +
          (failure
            ? describeBigQueryError(failure, { projectId: options.settings.projectId })
            : 'BigQuery kept reporting a temporary problem.'),
      )
    }
    report.retries++
    // Same rows, same insertIds: BigQuery can drop a copy it already stored; the models drop the rest.
    const delay = Math.min((options.baseDelayMs ?? 500) * 2 ** (attempt - 1), options.maxDelayMs ?? 10_000)
    await sleep(delay / 2 + Math.random() * (delay / 2))
    pending = retry
  }
}

function partialFailures(error: unknown): Array<{ row: PendingRow; errors: Array<{ reason?: string; message?: string }> }> | undefined {
  if (typeof error !== 'object' || error === null || (error as { name?: unknown }).name !== 'PartialFailureError') return undefined
  const errors = (error as { errors?: unknown }).errors
  return Array.isArray(errors) ? (errors as Array<{ row: PendingRow; errors: Array<{ reason?: string; message?: string }> }>) : undefined
}

/** Worth another try with the same rows: network trouble, 5xx, 429 and BigQuery's temporary reasons. */
export function isTransient(error: unknown): boolean {
  if (networkErrorCode(error)) return true
  const { status, reasons } = errorReasons(error)
  if (status !== undefined && (status >= 500 || status === 429)) return true
  return reasons.some((reason) => TRANSIENT_REASONS.has(reason))
}
