import { BigQuery, type BigQueryDate } from '@google-cloud/bigquery'
import { DATASET_ID, PROJECT_ID } from '../settings/app-settings'
import { type Dialect, type MartStatement, usedParams } from '../warehouse/mart-sql'

/**
 * The app's SQL against BigQuery: its dialect for the shared mart queries (mart-sql.ts) and the
 * statements of its own (the export's shards, the feed, the freshness). Every value a person chose
 * reaches BigQuery as a named query parameter; only validated project, dataset and fixed table
 * names are written into the text, quoted with backticks.
 */

/** A query and its named parameters with their BigQuery types (needed for NULLs and arrays). */
export interface BigQueryStatement {
  sql: string
  params: Record<string, string | number | boolean | null | string[] | BigQueryDate>
  types: Record<string, string | string[]>
}

/** A dataset, already validated. */
export interface DatasetRef {
  project: string
  dataset: string
}

const TABLE = /^[A-Za-z0-9_]+\*?$/

/** `project.dataset.table` in backticks, after checking every part against the strict id rules. */
export function tableRef(ref: DatasetRef, table: string): string {
  if (!PROJECT_ID.test(ref.project)) throw new Error(`Refusing to write an invalid project id into SQL: ${JSON.stringify(ref.project)}`)
  if (!DATASET_ID.test(ref.dataset)) throw new Error(`Refusing to write an invalid dataset id into SQL: ${JSON.stringify(ref.dataset)}`)
  if (!TABLE.test(table)) throw new Error(`Refusing to write an invalid table name into SQL: ${JSON.stringify(table)}`)
  return `\`${ref.project}.${ref.dataset}.${table}\``
}

/**
 * BigQuery's spelling of the mart queries (mart-sql.ts) over the marts dataset. The chosen events
 * are a bound array parameter: BigQuery's string literals escape otherwise than DuckDB's, and a
 * parameter keeps every value a person chose out of the text.
 */
export function bigQueryDialect(marts: DatasetRef): Dialect {
  return {
    p: '@',
    float: 'float64',
    table: (name) => tableRef(marts, name),
    inEvents: (column) => `${column} in unnest(@events)`,
    inList: (column, param) => `${column} in unnest(@${param})`,
    equals: (column, param) => `${column} = @${param}`,
    date: (param) => `@${param}`,
    formatDate: (date) => `format_date('%Y-%m-%d', ${date})`,
    daysBefore: (date, daysParam) => `date_sub(${date}, interval @${daysParam} day)`,
    secondsBetween: (later, earlier) => `(unix_micros(${later}) - unix_micros(${earlier})) / 1000000`,
    // A conversion with no session has a NULL path, which BigQuery returns as an empty array.
    orderedList: (value, orderBy, where) => `array_agg(if(${where}, ${value}, null) ignore nulls order by ${orderBy})`,
    // BigQuery cannot group by an array, so paths are grouped by its JSON text.
    listKey: (list) => `to_json_string(${list})`,
  }
}

/** A mart statement as BigQuery takes it: only the parameters its text names, dates as BigQueryDate. */
export function bigQueryStatement(statement: MartStatement): BigQueryStatement {
  const { sql, params, types } = usedParams(statement, '@')
  // The client sends a DATE parameter's value only from a BigQueryDate; a plain string would go out empty (NULL).
  const values = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      types[name] === 'DATE' && typeof value === 'string' ? BigQuery.date(value) : value,
    ]),
  )
  return { sql, params: values, types }
}

/**
 * Which export shards exist, from the `_table_suffix` pseudo-column alone (no column data is read):
 * the newest day and intraday shard and the row counts of each kind.
 */
export function shardsStatement(ga4: DatasetRef): BigQueryStatement {
  return {
    sql: `
    select
      max(if(starts_with(_table_suffix, 'intraday_'), null, _table_suffix)) as newest_day_suffix,
      max(if(starts_with(_table_suffix, 'intraday_'), _table_suffix, null)) as newest_intraday_suffix,
      countif(not starts_with(_table_suffix, 'intraday_')) as events,
      countif(starts_with(_table_suffix, 'intraday_')) as intraday_events
    from ${tableRef(ga4, 'events_*')}`,
    params: {},
    types: {},
  }
}

/** The newest event time in the given shards; a constant suffix list lets BigQuery skip the others. */
export function newestEventStatement(ga4: DatasetRef, tableSuffixes: string[]): BigQueryStatement {
  return {
    sql: `
    select format_timestamp('%Y-%m-%dT%H:%M:%SZ', timestamp_micros(max(event_timestamp))) as newest
    from ${tableRef(ga4, 'events_*')}
    where _table_suffix in unnest(@table_suffixes)`,
    params: { table_suffixes: tableSuffixes },
    types: { table_suffixes: ['STRING'] },
  }
}

/** The newest events of the given day and intraday shards, for the live feed. */
export function recentEventsStatement(ga4: DatasetRef, tableSuffixes: string[], limit: number): BigQueryStatement {
  const param = (key: string) => `(select param.value.string_value from unnest(event_params) as param where param.key = '${key}')`
  return {
    sql: `
    with newest as (
      select event_timestamp, event_name, user_pseudo_id, event_params, event_value_in_usd,
        ecommerce.purchase_revenue_in_usd as purchase_revenue_in_usd, event_bundle_sequence_id,
        starts_with(_table_suffix, 'intraday_') as is_intraday
      from ${tableRef(ga4, 'events_*')}
      where _table_suffix in unnest(@table_suffixes)
      order by event_timestamp desc
      limit @limit
    )
    select coalesce(${param('event_id')},
        to_hex(md5(array_to_string([user_pseudo_id, cast(event_timestamp as string), event_name, cast(event_bundle_sequence_id as string)], '|')))) as event_key,
      format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', timestamp_micros(event_timestamp)) as event_at,
      event_name,
      user_pseudo_id,
      ${param('source')} as source,
      ${param('medium')} as medium,
      cast(cast(round(coalesce(purchase_revenue_in_usd, event_value_in_usd), 2) as numeric) as string) as value_usd,
      is_intraday
    from newest
    order by event_timestamp desc, event_key
    limit @limit`,
    params: { table_suffixes: tableSuffixes, limit },
    types: { table_suffixes: ['STRING'], limit: 'INT64' },
  }
}

/** The conversion-date range of the marts. */
export function conversionRangeStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `
    select format_date('%Y-%m-%d', min(conversion_date)) as first_date, format_date('%Y-%m-%d', max(conversion_date)) as last_date
    from ${tableRef(marts, 'fct_attribution_credits')}`,
    params: {},
    types: {},
  }
}

/** When dbt last built the marts. */
export function buildInfoStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `select format_timestamp('%Y-%m-%dT%H:%M:%SZ', max(built_at)) as built from ${tableRef(marts, 'rpt_build_info')}`,
    params: {},
    types: {},
  }
}
