import type { DuckDBConnection } from '@duckdb/node-api'
import { DUCKDB_DIALECT, modelTableNamesSql, runMart } from './duckdb-queries'
import { MartReader } from './mart-reader'
import { type MartQuery, attributionModelsQuery } from './mart-sql'
import type { WarehouseModelRow } from './warehouse'

/**
 * The mart reads of a DuckDB warehouse (MartReader), over whatever hands out a connection: the
 * warehouse file (EmbeddedWarehouse), the app's in-memory serving copy (ServedWarehouse) or a
 * test's marts. A subclass says only how it reaches a connection.
 */
export abstract class DuckDbMartReader extends MartReader {
  protected readonly dialect = DUCKDB_DIALECT

  /** Runs `work` on a connection to the marts. */
  protected abstract withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>

  protected runMart<T>(query: MartQuery<T>): Promise<T> {
    return this.withConnection((connection) => runMart(connection, query))
  }

  /** The models rpt_attribution_models lists, in order; none when no build has made it yet. */
  override attributionModels(): Promise<WarehouseModelRow[]> {
    return this.withConnection(async (connection) => {
      const tables = new Set((await connection.runAndReadAll(modelTableNamesSql())).getRows().map((row) => String(row[0])))
      return tables.has('rpt_attribution_models') ? runMart(connection, attributionModelsQuery(DUCKDB_DIALECT)) : []
    })
  }
}
