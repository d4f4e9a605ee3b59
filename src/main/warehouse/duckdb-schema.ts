import { ga4ColumnsDdl } from './ga4-schema'

/** Schema that holds the raw GA4 export tables, as a BigQuery dataset `analytics_<id>` would. */
export const RAW_SCHEMA = 'ga4'
/** Schema dbt builds the models into. */
export const MODEL_SCHEMA = 'attribution'

/**
 * The column that numbers raw rows in the order they were stored (imports and streamed deliveries
 * alike), filled by a sequence: incremental dbt runs read the rows numbered after their last load,
 * however old the events are. Not a GA4 export column, hence the underscore. See DECISIONLOG.
 */
export const LOAD_SEQ_COLUMN = '_load_seq'
const LOAD_SEQ_DDL = `${LOAD_SEQ_COLUMN} bigint default nextval('${RAW_SCHEMA}.load_seq')`

/** Statements that create the raw tables when they are missing; safe to run on every open. */
export function rawSchemaStatements(): string[] {
  const columns = ga4ColumnsDdl()
  return [
    `create schema if not exists ${RAW_SCHEMA}`,
    `create sequence if not exists ${RAW_SCHEMA}.load_seq`,
    // Day tables events_YYYYMMDD live in one table keyed by event_date; see DECISIONLOG.
    `create table if not exists ${RAW_SCHEMA}.events (\n  ${columns},\n  ${LOAD_SEQ_DDL}\n)`,
    `create table if not exists ${RAW_SCHEMA}.events_intraday (\n  ${columns},\n  ${LOAD_SEQ_DDL}\n)`,
    // Warehouses made before the column existed: their rows are numbered now, in table order.
    `alter table ${RAW_SCHEMA}.events add column if not exists ${LOAD_SEQ_DDL}`,
    `alter table ${RAW_SCHEMA}.events_intraday add column if not exists ${LOAD_SEQ_DDL}`,
    `create table if not exists ${RAW_SCHEMA}.import_log (
  content_sha256 varchar primary key,
  file_name varchar not null,
  file_format varchar not null,
  row_count bigint not null,
  imported_at timestamp not null
)`,
    // Parquet exports kept as files beside the warehouse (raw-files.ts), each with one load number.
    `create table if not exists ${RAW_SCHEMA}.event_files (
  content_sha256 varchar primary key,
  file_name varchar not null,
  raw_table varchar not null,
  row_count bigint not null,
  load_seq bigint not null
)`,
    // The analyst's unwanted referrals and the self-referral switch: the app and the CLI both read
    // and change these, and dbt reads them as sources (src/main/referrals/, docs/assumptions.md).
    `create table if not exists ${RAW_SCHEMA}.unwanted_referrals (
  match_type varchar not null,
  pattern varchar not null,
  added_at timestamp not null,
  primary key (match_type, pattern)
)`,
    `create table if not exists ${RAW_SCHEMA}.referral_settings (
  detects_self_referrals boolean not null
)`,
    // One row per streamed event id ever stored: what makes a retried or replayed delivery add nothing.
    `create table if not exists ${RAW_SCHEMA}.stream_receipts (
  event_id varchar primary key,
  received_at timestamp not null,
  batch_id varchar not null
)`,
    // Ad spend, one cost per day and source/medium/campaign (spend-import.ts): a corrected file replaces its rows.
    `create table if not exists ${RAW_SCHEMA}.ad_spend (
  spend_date date not null,
  source varchar not null,
  medium varchar not null,
  campaign varchar not null,
  campaign_id varchar,
  cost_usd decimal(18, 2) not null,
  impressions bigint,
  clicks bigint,
  file_format varchar not null,
  file_name varchar not null,
  imported_at timestamp not null,
  primary key (spend_date, source, medium, campaign)
)`,
  ]
}
