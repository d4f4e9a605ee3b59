import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateEvents } from '../generator'
import { makeTempDir } from '../testing/fixtures'
import { type SmallDisk, mountSmallDisk, smallDiskUnavailable } from '../testing/small-disk'
import { withDuckDbFile } from './duckdb-file'
import { EmbeddedWarehouse } from './embedded-warehouse'
import { ga4JsonColumns } from './ga4-schema'

const noSmallDisk = smallDiskUnavailable()
if (noSmallDisk) process.stderr.write(`Skipping the import's disk-full tests: ${noSmallDisk}.\n`)

describe.skipIf(noSmallDisk)('an import on a disk that fills up', () => {
  const temp = makeTempDir('import-disk-full')
  const ndjson = join(temp.dir, 'events.ndjson')
  const parquet = join(temp.dir, 'odd-types.parquet')
  let events = 0
  let disk: SmallDisk | undefined
  beforeAll(async () => {
    const lines = [...generateEvents({ seed: 4, users: 400, days: 20, endDate: '2026-11-20' })].map((event) => JSON.stringify(event))
    events = lines.length
    writeFileSync(ndjson, `${lines.join('\n')}\n`)
    // Other column types than the export's, so the import rewrites the file beside the warehouse (with DuckDB).
    await withDuckDbFile(join(temp.dir, 'scratch.duckdb'), { readOnly: false }, ({ connection }) =>
      connection.run(`copy (select * replace (cast(event_value_in_usd as float) as event_value_in_usd)
        from read_json('${ndjson}', format = 'newline_delimited', columns = ${ga4JsonColumns()})) to '${parquet}' (format parquet)`),
    )
    disk = mountSmallDisk(join(temp.dir, 'disk'), 32 * 1024 * 1024)
  })
  afterAll(() => {
    disk?.unmount()
    temp.cleanup()
  })

  for (const [format, file] of [
    ['NDJSON', () => ndjson],
    ['Parquet', () => parquet],
  ] as const) {
    it(`says the disk is full when a ${format} import meets it, keeps nothing, and imports whole once there is room`, async () => {
      const path = join(disk!.path, `${format}.duckdb`)
      const warehouse = new EmbeddedWarehouse(path)
      expect(await warehouse.rawCounts()).toMatchObject({ events: 0 })
      await warehouse.close()
      disk!.fill(64 * 1024)
      const failing = new EmbeddedWarehouse(path)
      const error = await failing
        .importFiles([file()])
        .then(
          () => {
            throw new Error('the import was expected to fail on the full disk')
          },
          (caught: unknown) => caught as Error,
        )
        .finally(() => disk!.release())
      await failing.close()
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toMatch(
        new RegExp(
          `^Importing ${file().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ran out of disk space .*no space left on device.*Nothing was imported`,
          'i',
        ),
      )
      expect(error.message).not.toMatch(/cannot rollback|damaged or truncated/)
      const retry = new EmbeddedWarehouse(path)
      const [imported] = await retry.importFiles([file()])
      expect(imported).toMatchObject({ rows: events, wasAlreadyImported: false })
      expect(await retry.rawCounts()).toMatchObject({ events, importedFiles: 1 })
      await retry.close()
    })
  }
})
