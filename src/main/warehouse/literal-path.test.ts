import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StreamSource } from '../stream/stream-source'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from './duckdb-file'
import { EmbeddedWarehouse } from './embedded-warehouse'
import { hasGlobCharacters } from './literal-path'

/** NDJSON of `count` GA4 events; different seeds give different events. */
function ndjson(seed: number, count: number): string {
  return `${new StreamSource({ seed })
    .next(count)
    .map((event) => JSON.stringify(event))
    .join('\n')}\n`
}

async function eventNamesAndCount(path: string): Promise<number> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll('select count(*)::integer from ga4.all_events')
    return Number(reader.getRows()[0]?.[0])
  })
}

describe('import paths are literal, never glob patterns', () => {
  const temp = makeTempDir('literal-path')
  afterAll(temp.cleanup)

  it('knows which characters DuckDB expands', () => {
    for (const path of ['ev[3].ndjson', 'a*.json', 'a?.json', 'x{1,2}.parquet', '/data/[draft]/ev.ndjson'])
      expect(hasGlobCharacters(path), path).toBe(true)
    for (const path of ['ev3.ndjson', '/data/GA4 export (1)/events_20260101.ndjson.gz']) expect(hasGlobCharacters(path), path).toBe(false)
  })

  it('imports `ev[3].ndjson` itself when `ev3.ndjson` (which the glob would match) is beside it', async () => {
    const dir = join(temp.dir, 'exports')
    mkdirSync(dir)
    const bracketed = join(dir, 'ev[3].ndjson')
    const plain = join(dir, 'ev3.ndjson')
    writeFileSync(bracketed, ndjson(1, 7))
    writeFileSync(plain, ndjson(2, 11))

    const warehouse = new EmbeddedWarehouse(join(temp.dir, 'bracketed.duckdb'))
    const [result] = await warehouse.importFiles([bracketed])
    await warehouse.close()
    expect(result).toMatchObject({ file: bracketed, rows: 7, wasAlreadyImported: false })
    expect(await eventNamesAndCount(warehouse.path)).toBe(7)

    const other = new EmbeddedWarehouse(join(temp.dir, 'plain.duckdb'))
    const [plainResult] = await other.importFiles([plain])
    await other.close()
    expect(plainResult).toMatchObject({ rows: 11 })
  })

  it('names the original path when such a file is bad', async () => {
    const bad = join(temp.dir, 'bad[1].ndjson')
    writeFileSync(bad, `${ndjson(3, 2)}{"event_name": \n`)
    const warehouse = new EmbeddedWarehouse(join(temp.dir, 'bad.duckdb'))
    await expect(warehouse.importFiles([bad])).rejects.toThrow(`${bad}, line 3: not valid JSON`)
    await warehouse.close()
  })
})
