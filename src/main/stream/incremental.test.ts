import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

const MARTS = ['fct_attribution_credits', 'agg_channel_transitions', 'agg_user_last_conversions', 'rpt_data_quality']

/** Row count and an order-independent content hash per mart. */
async function martHashes(path: string): Promise<Record<string, string>> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const out: Record<string, string> = {}
    for (const mart of MARTS) {
      const reader = await connection.runAndReadAll(`
        select count(*)::bigint as row_count,
          md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')) as content_md5
        from attribution.${mart} as t`)
      const row = reader.getRowObjectsJson()[0] ?? {}
      out[mart] = `${String(row.row_count)}:${String(row.content_md5)}`
    }
    return out
  })
}

describe('incremental refresh after streamed events', () => {
  const temp = makeTempDir('incremental')
  const path = join(temp.dir, 'warehouse.duckdb')
  const warehouse = new EmbeddedWarehouse(path)

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 21, users: 800, days: 30, endDate: new Date().toISOString().slice(0, 10) })
    assertDbtSucceeded(await warehouse.build({}))
    await warehouse.close()
  })
  afterAll(temp.cleanup)

  it('gives identical marts on two consecutive incremental runs, and picks up the streamed conversions', async () => {
    const before = await martHashes(path)
    const stream = spawnSync(
      process.execPath,
      [join(projectRoot(), 'bin', 'attribution.js'), 'stream', '--count', '400', '--seed', '4', '--warehouse', path],
      { encoding: 'utf8' },
    )
    expect(stream.status, stream.stderr).toBe(0)

    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    const first = await martHashes(path)
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    const second = await martHashes(path)
    await warehouse.close()

    expect(second).toEqual(first)
    expect(first.fct_attribution_credits).not.toBe(before.fct_attribution_credits)
  })
})
