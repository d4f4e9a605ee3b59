import { ga4ColumnsDdl } from './ga4-schema'

/** Schema that holds the raw GA4 export tables, as a BigQuery dataset `analytics_<id>` would. */
export const RAW_SCHEMA = 'ga4'
/** Schema dbt builds the models into. */
export const MODEL_SCHEMA = 'attribution'

/** Statements that create the raw tables when they are missing; safe to run on every open. */
export function rawSchemaStatements(): string[] {
  const columns = ga4ColumnsDdl()
  return [
    `create schema if not exists ${RAW_SCHEMA}`,
    // Day tables events_YYYYMMDD live in one table keyed by event_date; see DECISIONLOG.
    `create table if not exists ${RAW_SCHEMA}.events (\n  ${columns}\n)`,
    `create table if not exists ${RAW_SCHEMA}.events_intraday (\n  ${columns}\n)`,
    `create table if not exists ${RAW_SCHEMA}.import_log (
  content_sha256 varchar primary key,
  file_name varchar not null,
  file_format varchar not null,
  row_count bigint not null,
  imported_at timestamp not null
)`,
    // One row per streamed event id ever stored: what makes a retried or replayed delivery add nothing.
    `create table if not exists ${RAW_SCHEMA}.stream_receipts (
  event_id varchar primary key,
  received_at timestamp not null,
  batch_id varchar not null
)`,
  ]
}
