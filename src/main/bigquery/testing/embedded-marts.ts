/** Test helper: generated mart rows in an in-memory DuckDB, laid out as the embedded warehouse's marts. */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { DuckDbMartReader } from '../../warehouse/duckdb-mart-reader'
import { MODEL_SCHEMA } from '../../warehouse/duckdb-schema'
import type { AttributionWarehouse } from '../../warehouse/warehouse'
import type { BigQueryField } from '../ga4-bigquery-schema'
import { CREDITS_SCHEMA, type GeneratedMarts, LAST_CONVERSIONS_SCHEMA, TRANSITIONS_SCHEMA } from './mart-rows'

const DUCK_TYPES: Record<string, string> = {
  STRING: 'VARCHAR',
  INTEGER: 'BIGINT',
  NUMERIC: 'DECIMAL(18,2)',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
}

/** A DuckDB holding the marts, for the embedded warehouse's queries to give the answers BigQuery's must match. */
export async function embeddedMarts(marts: GeneratedMarts): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`create schema ${MODEL_SCHEMA}`)
    const load = async (table: string, schema: BigQueryField[], rows: readonly object[]): Promise<void> => {
      const typeOf = (field: BigQueryField) => DUCK_TYPES[field.type] ?? 'VARCHAR'
      await connection.run(`create table ${MODEL_SCHEMA}.${table} (${schema.map((field) => `${field.name} ${typeOf(field)}`).join(', ')})`)
      const structure = JSON.stringify([Object.fromEntries(schema.map((field) => [field.name, typeOf(field)]))])
      await connection.run(
        `insert into ${MODEL_SCHEMA}.${table} by name select unnest(json_transform($rows::json, '${structure}'), recursive := true)`,
        {
          rows: JSON.stringify(rows),
        },
      )
    }
    await load('fct_attribution_credits', CREDITS_SCHEMA, marts.credits)
    await load('agg_channel_transitions', TRANSITIONS_SCHEMA, marts.transitions)
    await load('agg_user_last_conversions', LAST_CONVERSIONS_SCHEMA, marts.lastConversions)
  } finally {
    connection.closeSync()
  }
  return instance
}

/** The embedded warehouse's mart reads over such a DuckDB, a new connection per read. */
class InstanceMarts extends DuckDbMartReader {
  constructor(private readonly instance: DuckDBInstance) {
    super()
  }

  protected async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect()
    try {
      return await work(connection)
    } finally {
      connection.closeSync()
    }
  }
}

/** The embedded warehouse's queries over such a DuckDB, as the AttributionWarehouse the services read (no feed or status). */
export function embeddedMartsWarehouse(instance: DuckDBInstance): AttributionWarehouse {
  const marts = new InstanceMarts(instance)
  return Object.assign(marts, {
    kind: 'embedded' as const,
    recentEvents: async () => [],
    status: async () => {
      throw new Error('The test marts have no status.')
    },
  })
}
