// Dev helper: load the shared Parquet fixture into a new warehouse file, bypassing the importer.
import { DuckDBInstance } from '@duckdb/node-api'
import { rawSchemaStatements } from '../src/main/warehouse/duckdb-schema'

const [dbPath, parquet] = process.argv.slice(2)
const instance = await DuckDBInstance.create(dbPath)
const connection = await instance.connect()
for (const statement of rawSchemaStatements()) await connection.run(statement)
await connection.run(`insert into ga4.events by name select * from read_parquet('${parquet}')`)
const count = await connection.runAndReadAll('select count(*) as n from ga4.events')
console.log(count.getRowObjectsJson())
connection.closeSync()
instance.closeSync()
