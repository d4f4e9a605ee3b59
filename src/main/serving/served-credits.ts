import type { DuckDBConnection } from '@duckdb/node-api'
import { MODEL_SCHEMA } from '../warehouse/duckdb-schema'
import { sqlString } from '../warehouse/sql-literal'

/** dbt's credit rows: one per (conversion, lookback range, session), a column pair per model. */
export const CREDIT_SPLITS = 'fct_attribution_credit_splits'
/** dbt's view of them with one row per model, which every query reads. */
export const CREDITS = 'fct_attribution_credits'

/** Columns the views never read: long unique keys that would hold most of the copy's memory. */
const LEFT_IN_THE_FILE = ['user_key', 'credited_session_key', 'credited_ga_session_id']

const CREDIT_SUFFIX = '_credit_micros'
const REVENUE_SUFFIX = '_revenue_cents'
const MODEL_ID = /^[a-z][a-z0-9_]*$/

/**
 * The body of fct_attribution_credits over a copy of the splits whose columns are `columns`: what
 * dbt's view of the same name does (models/marts/fct_attribution_credits.sql), one union branch per
 * model found by its `<model>_credit_micros` column, rows where the model gives no unit left out.
 * A query naming its models with constants reads only their branches.
 */
export function creditsViewSql(splits: string, columns: readonly string[]): string {
  const models = columns.filter((column) => column.endsWith(CREDIT_SUFFIX)).map((column) => column.slice(0, -CREDIT_SUFFIX.length))
  const modelColumns = new Set(models.flatMap((model) => [model + CREDIT_SUFFIX, model + REVENUE_SUFFIX]))
  const common = columns.filter((column) => !modelColumns.has(column))
  if (models.length === 0) throw new Error(`${splits} has no <model>${CREDIT_SUFFIX} column: rebuild the marts.`)
  for (const model of models) {
    if (!MODEL_ID.test(model) || !columns.includes(model + REVENUE_SUFFIX))
      throw new Error(
        `${splits}: column ${model}${CREDIT_SUFFIX} is not a model's credit column with its revenue column; rebuild the marts.`,
      )
  }
  // conversion_id first, then the model, as in dbt's view.
  const [first, ...rest] = common
  return models
    .map(
      (model) => `
    select ${[first, `${sqlString(model)} as attribution_model`, ...rest].join(', ')},
      ${model}${CREDIT_SUFFIX} as credit_micros, ${model}${REVENUE_SUFFIX} as credited_revenue_cents
    from ${splits}
    where ${model}${CREDIT_SUFFIX} > 0 or ${model}${REVENUE_SUFFIX} > 0`,
    )
    .join('\n    union all')
}

/** The columns of the copy's splits, in order. */
async function splitColumns(c: DuckDBConnection): Promise<string[]> {
  const described = await c.runAndReadAll(
    `select column_name from duckdb_columns()
    where database_name = current_database() and schema_name = $schema and table_name = $table order by column_index`,
    { schema: MODEL_SCHEMA, table: CREDIT_SPLITS },
  )
  return described.getRows().map((row) => String(row[0]))
}

/**
 * Creates `table` with the copy's fct_attribution_credits rows of the conversions `conversionIds`
 * (a select of ids): the splits are narrowed first, then turned into rows, which takes a fraction
 * of filtering every model's rows.
 */
export async function copyCreditRowsOf(
  c: DuckDBConnection,
  names: ReadonlySet<string>,
  table: string,
  conversionIds: string,
): Promise<void> {
  if (names.has(CREDIT_SPLITS)) {
    await c.run(`create or replace temp table chosen_splits as
      select * from ${MODEL_SCHEMA}.${CREDIT_SPLITS} where conversion_id in (${conversionIds})`)
    await c.run(`create or replace table ${table} as ${creditsViewSql('chosen_splits', await splitColumns(c))}`)
    await c.run('drop table chosen_splits')
  } else if (names.has(CREDITS)) {
    await c.run(`create or replace table ${table} as select * from ${MODEL_SCHEMA}.${CREDITS} where conversion_id in (${conversionIds})`)
  }
}

/** Drops `name` in the model schema, whether a table or a view (a warehouse built before the splits kept a table). */
async function dropRelation(c: DuckDBConnection, name: string): Promise<void> {
  const found = await c.runAndReadAll(
    `select 'view' as kind from duckdb_views() where database_name = current_database() and schema_name = $schema and view_name = $name
    union all
    select 'table' from duckdb_tables() where database_name = current_database() and schema_name = $schema and table_name = $name`,
    { schema: MODEL_SCHEMA, name },
  )
  for (const row of found.getRows()) await c.run(`drop ${row[0] === 'view' ? 'view' : 'table'} ${MODEL_SCHEMA}.${name}`)
}

/**
 * Copies the credit rows from the attached warehouse `wh` (whose model relations are `names`)
 * into the serving copy, without the columns the views never read: the splits and a view of them
 * named as dbt's, or, from a warehouse built before the splits, the rows themselves.
 */
export async function copyCredits(c: DuckDBConnection, names: ReadonlySet<string>): Promise<void> {
  const keep = `* exclude (${LEFT_IN_THE_FILE.join(', ')})`
  if (names.has(CREDIT_SPLITS)) {
    await dropRelation(c, CREDITS)
    await c.run(`create or replace table ${MODEL_SCHEMA}.${CREDIT_SPLITS} as select ${keep} from wh.${MODEL_SCHEMA}.${CREDIT_SPLITS}`)
    await c.run(`create view ${MODEL_SCHEMA}.${CREDITS} as ${creditsViewSql(`${MODEL_SCHEMA}.${CREDIT_SPLITS}`, await splitColumns(c))}`)
  } else if (names.has(CREDITS)) {
    await dropRelation(c, CREDITS)
    await c.run(`drop table if exists ${MODEL_SCHEMA}.${CREDIT_SPLITS}`)
    await c.run(`create table ${MODEL_SCHEMA}.${CREDITS} as select ${keep} from wh.${MODEL_SCHEMA}.${CREDITS}`)
  }
}
