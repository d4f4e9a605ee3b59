import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse } from './embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

describe('the warehouse files after a dbt build that did not finish', () => {
  const temp = makeTempDir('wal-mode')
  afterAll(temp.cleanup)

  it('leaves the write-ahead log owner-only, as the file itself', async () => {
    const path = join(temp.dir, 'w.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 3, users: 200, days: 20, endDate: '2026-11-20' })
    const previous = process.umask(0o022)
    try {
      const controller = new AbortController()
      const result = await warehouse.build({
        signal: controller.signal,
        // Killed once a model has started writing: dbt's DuckDB has the log open with the umask's mode.
        onProgress: (progress) => {
          if (progress.node === 'stg_ga4__events' && !controller.signal.aborted) setTimeout(() => controller.abort(), 300)
        },
      })
      expect(result.success).toBe(false)
    } finally {
      process.umask(previous)
    }
    await warehouse.close()
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(existsSync(`${path}.wal`)).toBe(true)
    expect(statSync(`${path}.wal`).mode & 0o777).toBe(0o600)
  })
})
