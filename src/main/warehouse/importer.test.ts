import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserFacingError } from '../errors'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse } from './embedded-warehouse'

const FIXTURE_EVENTS = 42_057
const CONSOLE_EVENTS = 20

describe.skipIf(!hasGa4Fixtures)('importing real GA4 exports', () => {
  const temp = makeTempDir('import')
  afterAll(temp.cleanup)

  it('loads the Parquet export, and a second import adds nothing', async () => {
    const warehouse = new EmbeddedWarehouse(join(temp.dir, 'parquet.duckdb'))
    const [first] = await warehouse.importFiles([GA4_FIXTURES.parquet])
    expect(first).toMatchObject({ rows: FIXTURE_EVENTS, format: 'parquet', wasAlreadyImported: false })
    const [second] = await warehouse.importFiles([GA4_FIXTURES.parquet])
    expect(second).toMatchObject({ rows: 0, wasAlreadyImported: true })
    expect(await warehouse.rawCounts()).toEqual({ events: FIXTURE_EVENTS, intradayEvents: 0, importedFiles: 1 })
  })

  it('loads gzip NDJSON with the same events as Parquet', async () => {
    const warehouse = new EmbeddedWarehouse(join(temp.dir, 'ndjson.duckdb'))
    const [result] = await warehouse.importFiles([GA4_FIXTURES.ndjsonGz])
    expect(result).toMatchObject({ rows: FIXTURE_EVENTS, format: 'ndjson' })
  })

  it('loads the console JSON array whose INT64 values are strings', async () => {
    const warehouse = new EmbeddedWarehouse(join(temp.dir, 'console.duckdb'))
    const [result] = await warehouse.importFiles([GA4_FIXTURES.consoleJson])
    expect(result).toMatchObject({ rows: CONSOLE_EVENTS, format: 'json_array' })
  })
})

describe.skipIf(!hasGa4Fixtures)('bad input leaves the warehouse as it was', () => {
  const temp = makeTempDir('bad-import')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))
  const lines = gunzipSync(readFileSync(GA4_FIXTURES.ndjsonGz)).toString('utf8').split('\n').slice(0, 6)
  let before: Awaited<ReturnType<EmbeddedWarehouse['rawCounts']>>

  beforeAll(async () => {
    await warehouse.importFiles([GA4_FIXTURES.consoleJson])
    before = await warehouse.rawCounts()
  })
  afterAll(temp.cleanup)

  function writeFile(name: string, content: string | Buffer): string {
    const path = join(temp.dir, name)
    writeFileSync(path, content)
    return path
  }

  async function expectRejected(files: string[], message: RegExp): Promise<void> {
    const error = await warehouse.importFiles(files).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserFacingError)
    expect((error as Error).message).toMatch(message)
    expect(await warehouse.rawCounts()).toEqual(before)
  }

  it('names a missing file', async () => {
    await expectRejected([join(temp.dir, 'nope.parquet')], /File not found: .*nope\.parquet/)
  })

  it('rejects an empty file', async () => {
    await expectRejected([writeFile('empty.ndjson', '')], /empty\.ndjson is empty/)
  })

  it('rejects a file that is no GA4 export format', async () => {
    await expectRejected([writeFile('notes.txt', 'event_date,event_name\n20201227,page_view\n')], /notes\.txt is not a GA4 export/)
  })

  it('rejects a truncated Parquet file', async () => {
    const bytes = readFileSync(GA4_FIXTURES.parquet)
    await expectRejected([writeFile('truncated.parquet', bytes.subarray(0, 100_000))], /truncated\.parquet cannot be read as Parquet/)
  })

  it('names the line of malformed JSON', async () => {
    const broken = [...lines.slice(0, 3), lines[3]?.slice(0, 80), ...lines.slice(4)].join('\n')
    await expectRejected([writeFile('malformed.ndjson', broken)], /malformed\.ndjson, line 4: not valid JSON/)
  })

  it('names the line of an event without a name', async () => {
    const event = JSON.parse(lines[2] ?? '{}') as Record<string, unknown>
    delete event.event_name
    const edited = [lines[0], lines[1], JSON.stringify(event), lines[3]].join('\n')
    await expectRejected([writeFile('nameless.ndjson', edited)], /nameless\.ndjson, line 3: event_name is missing/)
  })

  it('names the line of a value of the wrong type', async () => {
    const event = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>
    event.event_timestamp = 'yesterday'
    const edited = [lines[0], JSON.stringify(event), lines[2]].join('\n')
    await expectRejected([writeFile('wrongtype.ndjson', edited)], /wrongtype\.ndjson, line 2: event_timestamp must be a whole number/)
  })

  it('names the right line of event_params that is not a list, far into the file', async () => {
    const event = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>
    event.event_params = { key: 'page_title', value: { string_value: 'not a list' } }
    const edited = [...lines.slice(0, 6), JSON.stringify(event), lines[2]].join('\n')
    await expectRejected(
      [writeFile('params.ndjson', edited)],
      /^\S*params\.ndjson, line 7: event_params must be a list\. Nothing was imported\.$/,
    )
  })

  it('loads nothing when one of several files is bad', async () => {
    const good = join(temp.dir, 'good.parquet')
    copyFileSync(GA4_FIXTURES.parquet, good)
    await expectRejected([good, writeFile('bad.ndjson', '{"event_date": ')], /bad\.ndjson/)
  })
})
