// The floor of `report` as a whole process: Node, DuckDB loaded as the compiled CLI loads it (its API
// bundled, the binding mapped: scripts/cli-bundle.mjs), the warehouse attached read-only as the app and
// CLI attach it, and one query of the credits by channel printed. No argument parsing, no checks, no
// formatting: what any report that reads the warehouse itself pays. Compiled and run by bench/run.ts
// (`node out/bench/report-floor.mjs WAREHOUSE`); it imports nothing else, so nothing else loads. A benchmark, never a test.
import { DuckDBInstance } from '@duckdb/node-api'
import { WAREHOUSE_CATALOG } from '../src/main/warehouse/duckdb-file'
import { sqlString } from '../src/main/warehouse/sql-literal'

const path = process.argv[2]
if (!path) throw new Error('Usage: node out/bench/report-floor.mjs WAREHOUSE')
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run(`attach ${sqlString(path)} as ${WAREHOUSE_CATALOG} (read_only)`)
const reader = await connection.runAndReadAll(`
  select channel, sum(credit_micros) / 1e6 as conversions
  from ${WAREHOUSE_CATALOG}.attribution.fct_attribution_credits
  where attribution_model = 'first_click' and 14 between min_lookback_days and max_lookback_days
  group by channel order by conversions desc`)
for (const row of reader.getRows()) process.stdout.write(`${String(row[0])}\t${String(row[1])}\n`)
connection.closeSync()
instance.closeSync()
