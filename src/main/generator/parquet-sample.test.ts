import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserFacingError } from '../errors'
import { makeTempDir } from '../testing/fixtures'
import { sqlString } from '../warehouse/sql-literal'
import { CLASSIC_GA4_COLUMNS, GA4_COLUMNS, ga4JsonColumns } from '../warehouse/ga4-schema'
import { type GenerateOptions, generateEvents } from './generate'
import { writeSampleParquet } from './parquet-sample'

const BASE = { seed: 7, users: 300, days: 20, endDate: '2024-03-31' } as const
const COLUMN_LIST = CLASSIC_GA4_COLUMNS.map(([name]) => `"${name}"`).join(', ')
/** The newer optional export columns: the files leave them out, so generateEvents must leave them NULL. */
const NEWER_COLUMNS = GA4_COLUMNS.filter(([name]) => !CLASSIC_GA4_COLUMNS.some(([classic]) => classic === name)).map(([name]) => name)
const RARE_PATHS_CASE = '1,500 users over 60 days'
const parquetOf = (paths: string[]) => `read_parquet([${paths.map(sqlString).join(', ')}])`

describe('writeSampleParquet', () => {
  const temp = makeTempDir('parquet-sample')
  let instance: DuckDBInstance
  let connection: DuckDBConnection
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:')
    connection = await instance.connect()
  })
  afterAll(() => {
    connection.closeSync()
    instance.closeSync()
    temp.cleanup()
  })

  const count = async (sql: string): Promise<number> =>
    Number((await connection.runAndReadAll(`select count(*) from (${sql})`)).getRows()[0]?.[0])

  /** The generator's rows through the NDJSON import path: what the Parquet files must equal. */
  const writeNdjson = (path: string, options: GenerateOptions): void => {
    const fd = openSync(path, 'w')
    try {
      for (const event of generateEvents(options)) writeSync(fd, `${JSON.stringify(event)}\n`)
    } finally {
      closeSync(fd)
    }
  }

  const cases: [string, GenerateOptions][] = [
    ['300 users over 20 days', BASE],
    ['with event ids', { ...BASE, seed: 11, withEventId: true }],
    ['cut off mid-day by notAfterMicros', { ...BASE, seed: 12, notAfterMicros: Date.UTC(2024, 2, 31, 13, 17) * 1000 }],
    ['a later slice of users', { ...BASE, seed: 13, firstUser: 5_000 }],
    // Enough purchases for every rare path; the coverage test below keeps it that way.
    [RARE_PATHS_CASE, { seed: 21, users: 1_500, days: 60, endDate: '2024-01-15', withEventId: true }],
  ]

  it.each(cases)('writes exactly the rows generateEvents yields: %s', async (name, options) => {
    const dir = join(temp.dir, name.replace(/\W+/g, '-'))
    const ndjson = join(temp.dir, `${name.replace(/\W+/g, '-')}.ndjson`)
    writeNdjson(ndjson, options)
    const result = await writeSampleParquet(dir, { ...options, usersPerFile: 1_000 })
    const paths = result.files.map((file) => file.path)

    const expected = `select ${COLUMN_LIST} from read_json(${sqlString(ndjson)}, format = 'newline_delimited', columns = ${ga4JsonColumns()})`
    const actual = `select ${COLUMN_LIST} from ${parquetOf(paths)}`
    const expectedRows = await count(expected)
    expect(expectedRows).toBeGreaterThan(0)
    expect(await count(actual)).toBe(expectedRows)
    expect(result.events).toBe(expectedRows)
    expect(result.files.reduce((sum, file) => sum + file.events, 0)).toBe(expectedRows)
    expect(await count(`${expected} except all ${actual}`)).toBe(0)
    expect(await count(`${actual} except all ${expected}`)).toBe(0)
    expect(NEWER_COLUMNS.length).toBeGreaterThan(0)
    const ndjsonRows = `read_json(${sqlString(ndjson)}, format = 'newline_delimited', columns = ${ga4JsonColumns()})`
    expect(await count(`select 1 from ${ndjsonRows} where ${NEWER_COLUMNS.map((column) => `"${column}" is not null`).join(' or ')}`)).toBe(
      0,
    )
    if (name === RARE_PATHS_CASE) {
      // The rare paths of generateSession the twin must follow: without them the comparison proves little.
      const rows = `(${expected})`
      expect(await count(`select 1 from ${rows} where ecommerce.transaction_id = '(not set)'`)).toBeGreaterThan(0)
      expect(
        await count(
          `select 1 from ${rows} where event_name = 'purchase' group by ecommerce.transaction_id having count(distinct event_timestamp) > 1`,
        ),
      ).toBeGreaterThan(0)
      expect(await count(`select 1 from ${rows} r group by all having count(*) > 1`)).toBeGreaterThan(0)
      expect(await count(`select 1 from ${rows} where len(items) = 4`)).toBeGreaterThan(0)
      expect(
        await count(
          `select 1 from ${rows} where list_contains([p.key for p in event_params], 'gclid') and list_contains([p.key for p in event_params], 'term')`,
        ),
      ).toBeGreaterThan(0)
    }
  })

  it('writes exactly the classic GA4 export columns and types (the newer optional ones would all be NULL)', async () => {
    const { files } = await writeSampleParquet(join(temp.dir, 'schema'), { ...BASE, users: 20 })
    const reader = await connection.runAndReadAll(`describe select * from ${parquetOf(files.map((file) => file.path))}`)
    const described = reader.getRows().map((row) => [String(row[0]), String(row[1])])
    const normalise = (type: string) => type.replace(/\s+/g, '').replace(/"/g, '').toLowerCase()
    expect(described.map(([name, type]) => [name, normalise(type!)])).toEqual(
      CLASSIC_GA4_COLUMNS.map(([name, type]) => [name, normalise(type)]),
    )
  })

  it('gives the same rows whatever the number of users per file', async () => {
    const options = { ...BASE, seed: 3, users: 700 }
    const few = await writeSampleParquet(join(temp.dir, 'few'), { ...options, usersPerFile: 700 })
    const many = await writeSampleParquet(join(temp.dir, 'many'), { ...options, usersPerFile: 150 })
    expect(few.files).toHaveLength(1)
    expect(many.files).toHaveLength(5)
    expect(many.events).toBe(few.events)
    const fewRows = `select ${COLUMN_LIST} from ${parquetOf(few.files.map((file) => file.path))}`
    const manyRows = `select ${COLUMN_LIST} from ${parquetOf(many.files.map((file) => file.path))}`
    expect(await count(`${fewRows} except all ${manyRows}`)).toBe(0)
    expect(await count(`${manyRows} except all ${fewRows}`)).toBe(0)
  })

  it('reports progress up to every user', async () => {
    const calls: [number, number, number][] = []
    const result = await writeSampleParquet(join(temp.dir, 'progress'), { ...BASE, usersPerFile: 100 }, (done, total, events) =>
      calls.push([done, total, events]),
    )
    expect(calls.length).toBeGreaterThan(10)
    expect(calls.at(-1)).toEqual([BASE.users, BASE.users, result.events])
    expect(calls.map(([done]) => done)).toEqual([...calls.map(([done]) => done)].sort((a, b) => a - b))
  })

  it('removes the files it wrote when a later file cannot be written, and says where', async () => {
    const dir = join(temp.dir, 'blocked')
    // A folder where the third file should go: the first two are written, the third fails.
    mkdirSync(join(dir, 'sample-events-0002.parquet'), { recursive: true })
    const writing = writeSampleParquet(dir, { ...BASE, usersPerFile: 100 })
    await expect(writing).rejects.toThrow(UserFacingError)
    await expect(writing).rejects.toThrow(`Cannot write sample Parquet files to ${dir}`)
    expect(readdirSync(dir)).toEqual(['sample-events-0002.parquet'])
  })
})
