import type { DuckDBConnection } from '@duckdb/node-api'
import { DUCKDB_DIALECT, martRows, modelTableNamesSql, runMart } from './duckdb-queries'
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

  /** Rows of the statements running now, by statement and parameters. */
  private readonly inFlight = new Map<string, Promise<Array<Record<string, unknown>>>>()

  /**
   * Runs a mart query. The views ask for the same statement at once (the channel breakdown and the
   * comparison's first model are one report): a statement already running with the same parameters
   * is not run again, its rows are mapped for each caller. Nothing is kept once it has answered.
   */
  protected async runMart<T>(query: MartQuery<T>): Promise<T> {
    const key = JSON.stringify([query.sql, query.params])
    let rows = this.inFlight.get(key)
    if (!rows) {
      rows = this.withConnection((connection) => martRows(connection, query))
      this.inFlight.set(key, rows)
      const forget = () => this.inFlight.delete(key)
      rows.then(forget, forget)
    }
    return query.read(await rows)
  }

  /** The models rpt_attribution_models lists, in order; none when no build has made it yet. */
  override attributionModels(): Promise<WarehouseModelRow[]> {
    return this.withConnection(async (connection) => {
      const tables = new Set((await connection.runAndReadAll(modelTableNamesSql())).getRows().map((row) => String(row[0])))
      return tables.has('rpt_attribution_models') ? runMart(connection, attributionModelsQuery(DUCKDB_DIALECT)) : []
    })
  }
}
