import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateEvents } from '../generator'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from './duckdb-file'
import { EmbeddedWarehouse } from './embedded-warehouse'
import { GA4_COLUMNS, ga4JsonColumns } from './ga4-schema'
import { hasExportTypes, keptFileName, rawFolderOf } from './raw-files'

const COLUMNS = GA4_COLUMNS.map(([name]) => `"${name}"`).join(', ')

async function query(path: string, sql: string): Promise<unknown[][]> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => (await connection.runAndReadAll(sql)).getRows())
}

async function openReadWrite(path: string): Promise<void> {
  await withDuckDbFile(path, { readOnly: false }, async () => undefined)
}

/** Rows of one warehouse's view that the other's lacks, both ways (0 and 0 when equal as multisets). */
async function differences(
  left: string,
  right: string,
  leftTable = 'ga4.all_events',
  rightTable = 'ga4.all_events',
): Promise<[number, number]> {
  return withDuckDbFile(left, { readOnly: true }, async ({ connection }) => {
    await connection.run(`attach '${right}' as other (read_only)`)
    const count = async (a: string, b: string) =>
      Number(
        (
          await connection.runAndReadAll(`select count(*) from (select ${COLUMNS} from ${a} except all select ${COLUMNS} from ${b})`)
        ).getRows()[0]?.[0],
      )
    const result: [number, number] = [await count(leftTable, `other.${rightTable}`), await count(`other.${rightTable}`, leftTable)]
    await connection.run('detach other')
    return result
  })
}

describe('Parquet exports kept beside the warehouse', () => {
  const temp = makeTempDir('raw-files')
  const ndjson = join(temp.dir, 'events.ndjson')
  const parquet = join(temp.dir, 'events.parquet')
  const later = join(temp.dir, 'later.parquet')
  const odd = join(temp.dir, 'odd-types.parquet')
  let events = 0
  let laterEvents = 0

  beforeAll(async () => {
    const lines = [...generateEvents({ seed: 3, users: 120, days: 10, endDate: '2026-11-20' })].map((event) => JSON.stringify(event))
    events = lines.length
    writeFileSync(ndjson, `${lines.join('\n')}\n`)
    const laterLines = [...generateEvents({ seed: 3, users: 40, days: 5, endDate: '2026-11-25', firstUser: 500 })].map((event) =>
      JSON.stringify(event),
    )
    laterEvents = laterLines.length
    writeFileSync(join(temp.dir, 'later.ndjson'), `${laterLines.join('\n')}\n`)
    await withDuckDbFile(join(temp.dir, 'scratch.duckdb'), { readOnly: false }, async ({ connection }) => {
      const read = (path: string) => `read_json('${path}', format = 'newline_delimited', columns = ${ga4JsonColumns()})`
      await connection.run(`copy (select * from ${read(ndjson)}) to '${parquet}' (format parquet)`)
      await connection.run(`copy (select * from ${read(join(temp.dir, 'later.ndjson'))}) to '${later}' (format parquet)`)
      // An export with other types and without the newer optional columns, as older or hand-made files are.
      await connection.run(`copy (select * exclude (event_value_in_usd, session_traffic_source_last_click, collected_traffic_source, is_active_user),
          cast(event_value_in_usd as float) as event_value_in_usd from ${read(ndjson)}) to '${odd}' (format parquet)`)
    })
  })
  afterAll(temp.cleanup)

  it('holds the same rows as the same events imported as NDJSON, in a private file the tables do not copy', async () => {
    const viaParquet = join(temp.dir, 'parquet.duckdb')
    const viaJson = join(temp.dir, 'json.duckdb')
    const parquetWarehouse = new EmbeddedWarehouse(viaParquet)
    const jsonWarehouse = new EmbeddedWarehouse(viaJson)
    const [imported] = await parquetWarehouse.importFiles([parquet])
    await jsonWarehouse.importFiles([ndjson])
    expect(imported).toMatchObject({ rows: events, format: 'parquet', wasAlreadyImported: false })
    expect(await parquetWarehouse.rawCounts()).toEqual({ events, intradayEvents: 0, importedFiles: 1 })
    await parquetWarehouse.close()
    await jsonWarehouse.close()

    const kept = readdirSync(rawFolderOf(viaParquet))
    expect(kept).toHaveLength(1)
    expect(statSync(join(rawFolderOf(viaParquet), kept[0] ?? '')).mode & 0o777).toBe(0o600)
    expect(await query(viaParquet, 'select count(*)::integer from ga4.events')).toEqual([[0]])
    expect(await differences(viaParquet, viaJson)).toEqual([0, 0])
  })

  it('gives each file one load number, so a filter on newer numbers skips older files', async () => {
    const path = join(temp.dir, 'two-files.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.importFiles([parquet])
    await warehouse.importFiles([later])
    await warehouse.close()
    const [[firstSeq, seqs]] = (await query(path, 'select min(_load_seq), count(distinct _load_seq)::integer from ga4.all_events')) as [
      [bigint, number],
    ]
    expect(seqs).toBe(2)
    expect(await query(path, `select count(*)::integer from ga4.all_events where _load_seq > ${firstSeq}`)).toEqual([[laterEvents]])
  })

  it('rewrites a file whose columns have other types, and fills absent optional columns with NULL', async () => {
    const path = join(temp.dir, 'odd.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    const [imported] = await warehouse.importFiles([odd])
    await warehouse.close()
    expect(imported).toMatchObject({ rows: events })
    const [keptName] = readdirSync(rawFolderOf(path))
    const isExact = await withDuckDbFile(path, { readOnly: true }, ({ connection }) =>
      hasExportTypes(connection, join(rawFolderOf(path), keptName ?? '')),
    )
    expect(isExact).toBe(true)
    expect(await query(path, 'select count(*)::integer from ga4.all_events where collected_traffic_source is not null')).toEqual([[0]])
    expect(await query(path, 'select typeof(any_value(event_value_in_usd)) from ga4.all_events')).toEqual([['DOUBLE']])
  })

  it('keeps no file from an import that failed, and removes files no import finished', async () => {
    const path = join(temp.dir, 'failed.duckdb')
    const bad = join(temp.dir, 'bad.ndjson')
    writeFileSync(bad, '{"event_name": "page_view"}\n')
    const warehouse = new EmbeddedWarehouse(path)
    await expect(warehouse.importFiles([parquet, bad])).rejects.toThrow(/bad\.ndjson, line 1/)
    expect(await warehouse.rawCounts()).toEqual({ events: 0, intradayEvents: 0, importedFiles: 0 })
    await warehouse.close()
    expect(readdirSync(rawFolderOf(path))).toEqual([])

    // A file left by an import the process did not live to commit is removed on the next read-write open.
    writeFileSync(join(rawFolderOf(path), keptFileName('events', 'a'.repeat(64))), 'partial')
    writeFileSync(join(rawFolderOf(path), keptFileName('events_intraday', 'b'.repeat(64))), 'partial')
    await openReadWrite(path)
    const reopened = new EmbeddedWarehouse(path)
    expect(await reopened.rawCounts()).toEqual({ events: 0, intradayEvents: 0, importedFiles: 0 })
    await reopened.close()
    expect(readdirSync(rawFolderOf(path))).toEqual([])
  })

  it("never removes a person's own files from the raw folder, only the app's unregistered exports", async () => {
    const path = join(temp.dir, 'own-files.duckdb')
    const folder = rawFolderOf(path)
    mkdirSync(join(folder, 'notes'), { recursive: true })
    // Names a person (or another tool) might leave there, some close to the app's own.
    const theirs = [
      'notes.txt',
      'events.parquet',
      'events-2026.parquet',
      `events-${'c'.repeat(64)}.parquet.bak`,
      `other-${'d'.repeat(64)}.parquet`,
      'notes/keep.md',
    ]
    for (const name of theirs) writeFileSync(join(folder, name), 'mine')
    const ours = keptFileName('events', 'e'.repeat(64))
    writeFileSync(join(folder, ours), 'partial')
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.importFiles([parquet])
    expect(await warehouse.rawCounts()).toMatchObject({ events, importedFiles: 1 })
    await warehouse.close()
    await openReadWrite(path)
    for (const name of theirs) expect(existsSync(join(folder, name)), name).toBe(true)
    expect(existsSync(join(folder, ours))).toBe(false)
    // The imported export is still registered and read.
    expect(await query(path, 'select count(*)::integer from ga4.all_events')).toEqual([[events]])
  })

  it('follows the warehouse when its folder moves, and leaves out a file that went missing, saying so', async () => {
    const first = join(temp.dir, 'before', 'w.duckdb')
    mkdirSync(join(temp.dir, 'before'))
    const warehouse = new EmbeddedWarehouse(first)
    await warehouse.importFiles([parquet])
    await warehouse.close()
    renameSync(join(temp.dir, 'before'), join(temp.dir, 'after'))
    const moved = join(temp.dir, 'after', 'w.duckdb')
    // The app (and every build) opens the warehouse read-write first: that points the views at the folder.
    await openReadWrite(moved)
    const reopened = new EmbeddedWarehouse(moved)
    expect(await reopened.rawCounts()).toMatchObject({ events })
    await reopened.close()

    const [keptName = ''] = readdirSync(rawFolderOf(moved))
    renameSync(join(rawFolderOf(moved), keptName), join(temp.dir, 'set-aside.parquet'))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      await openReadWrite(moved)
      const withoutFile = new EmbeddedWarehouse(moved)
      expect(await withoutFile.rawCounts()).toMatchObject({ events: 0, importedFiles: 1 })
      await withoutFile.close()
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Parquet files .*w\.duckdb\.raw.* are missing/))
    } finally {
      warn.mockRestore()
    }

    // Put back, the file is read again on the next read-write open.
    renameSync(join(temp.dir, 'set-aside.parquet'), join(rawFolderOf(moved), keptName))
    await openReadWrite(moved)
    const restored = new EmbeddedWarehouse(moved)
    expect(await restored.rawCounts()).toMatchObject({ events, importedFiles: 1 })
    await restored.close()
  })

  it('stores Parquet in the tables when the warehouse path has glob characters', async () => {
    const path = join(temp.dir, 'w[1].duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.importFiles([parquet])
    expect(await warehouse.rawCounts()).toMatchObject({ events })
    await warehouse.close()
    expect(existsSync(rawFolderOf(path))).toBe(false)
    expect(await query(path, 'select count(*)::integer from ga4.events')).toEqual([[events]])
  })
})

describe.skipIf(!hasGa4Fixtures)('a real GA4 Parquet export kept beside the warehouse', () => {
  const temp = makeTempDir('raw-files-real')
  afterAll(temp.cleanup)

  it('reads as the same rows as the same export imported from NDJSON', async () => {
    const viaParquet = join(temp.dir, 'parquet.duckdb')
    const viaJson = join(temp.dir, 'json.duckdb')
    copyFileSync(GA4_FIXTURES.parquet, join(temp.dir, 'export.parquet'))
    const parquetWarehouse = new EmbeddedWarehouse(viaParquet)
    const jsonWarehouse = new EmbeddedWarehouse(viaJson)
    await parquetWarehouse.importFiles([join(temp.dir, 'export.parquet')])
    await jsonWarehouse.importFiles([GA4_FIXTURES.ndjsonGz])
    await parquetWarehouse.close()
    await jsonWarehouse.close()
    expect(await differences(viaParquet, viaJson)).toEqual([0, 0])
  })
})
