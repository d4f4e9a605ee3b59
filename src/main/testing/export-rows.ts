/** Test support: GA4 export rows shaped by a few facts each, written as a Parquet export file (specs and tests alike). */
import { withDuckDbFile } from '../warehouse/duckdb-file'

/** One export row's facts; the rest (bundle id, ecommerce) follows from them. */
export interface ExportEvent {
  device: string
  stream: string
  platform: 'WEB' | 'IOS' | 'ANDROID'
  userId?: string
  sessionId: number
  /** Hours after the scenario's start. */
  hour: number
  name: string
  source?: [string, string]
  transactionId?: string
}

/** The scenarios' start (hour 0) and an hour, in microseconds. */
export const START_MICROS = Date.UTC(2024, 2, 1, 9) * 1000
export const HOUR_MICROS = 3_600_000_000

const text = (value: string | undefined): string => (value === undefined ? 'null' : `'${value.replace(/'/g, "''")}'`)

function param(key: string, value: string | number): string {
  const isInt = typeof value === 'number'
  return `{'key': '${key}', 'value': {'string_value': ${isInt ? 'null' : text(value)}, 'int_value': ${isInt ? value : 'null'}, 'float_value': null, 'double_value': null}}`
}

/** An export row as a select of literals, with the GA4 export's column types. */
function exportRow(event: ExportEvent): string {
  const micros = START_MICROS + Math.round(event.hour * HOUR_MICROS)
  const params = [
    param('ga_session_id', event.sessionId),
    ...(event.source ? [param('source', event.source[0]), param('medium', event.source[1])] : []),
  ]
  const isPurchase = event.name === 'purchase'
  return `select strftime(make_timestamp(${micros}::bigint), '%Y%m%d') as event_date, ${micros}::bigint as event_timestamp, '${event.name}' as event_name,
      cast([${params.join(', ')}] as STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE))[]) as event_params,
      1::bigint as event_bundle_sequence_id, '${event.device}' as user_pseudo_id, ${text(event.userId)}::varchar as user_id,
      '${event.stream}' as stream_id, '${event.platform}' as platform,
      {'purchase_revenue_in_usd': ${isPurchase ? '25.0' : 'null'}::double, 'transaction_id': ${text(event.transactionId)}::varchar} as ecommerce`
}

/** Writes `events` as one Parquet export file at `path` (through a scratch DuckDB file). */
export async function writeExport(scratch: string, path: string, events: ExportEvent[]): Promise<void> {
  await withDuckDbFile(scratch, { readOnly: false }, ({ connection }) =>
    connection.run(`copy (${events.map(exportRow).join('\nunion all\n')}) to '${path}' (format parquet)`),
  )
}
