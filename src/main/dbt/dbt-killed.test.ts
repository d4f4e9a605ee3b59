import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { dbtChildPids } from './dbt-children'
import { generateSampleData } from '../services/sample-data'

describe('a dbt child killed from outside', () => {
  const temp = makeTempDir('dbt-killed')
  afterAll(temp.cleanup)

  it("says dbt was killed, without Python's unrelated resource_tracker warning", async () => {
    const path = join(temp.dir, 'w.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 3, users: 200, days: 20, endDate: '2026-11-20' })
    let killed = 0
    const result = await warehouse.build({
      onProgress: (progress) => {
        if (progress.node !== 'stg_ga4__events' || killed > 0) return
        for (const pid of dbtChildPids()) {
          process.kill(pid, 'SIGKILL')
          killed += 1
        }
      },
    })
    await warehouse.close()
    expect(killed).toBe(1)
    expect(result.success).toBe(false)
    const text = result.errors.join('\n')
    expect(text).not.toMatch(/resource_tracker|leaked semaphore|UserWarning/)
    expect(text).toMatch(/^dbt was stopped by SIGKILL before it finished/)
  })
})
