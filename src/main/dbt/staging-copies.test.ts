import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { MODEL_SCHEMA, RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

const PENDING = ' (repeated copies not yet removed)'

interface StagingState {
  rawRows: number
  stagedRows: number
  repeatedKeys: number
  loads: number
  loadedAt: string
  comment: string
}

async function stagingState(path: string): Promise<StagingState> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      select
        (select count(*) from ${RAW_SCHEMA}.all_events)::int
          + (select count(*) from ${RAW_SCHEMA}.all_events_intraday)::int as raw_rows,
        (select count(*) from ${MODEL_SCHEMA}.stg_ga4__events)::int as staged_rows,
        (select count(*) from (
          select event_key from ${MODEL_SCHEMA}.stg_ga4__events group by event_key having count(*) > 1))::int as repeated_keys,
        (select count(distinct loaded_at) from ${MODEL_SCHEMA}.stg_ga4__events)::int as loads,
        (select cast(max(loaded_at) as varchar) from ${MODEL_SCHEMA}.stg_ga4__events) as loaded_at,
        (select comment from duckdb_tables() where schema_name = '${MODEL_SCHEMA}' and table_name = 'stg_ga4__events') as comment`)
    const row = reader.getRowObjectsJson()[0] ?? {}
    return {
      rawRows: Number(row.raw_rows),
      stagedRows: Number(row.staged_rows),
      repeatedKeys: Number(row.repeated_keys),
      loads: Number(row.loads),
      loadedAt: String(row.loaded_at),
      comment: String(row.comment),
    }
  })
}

// A full load on DuckDB writes every copy and deletes the repeated ones after its commit (DECISIONLOG 83).
// Which copy stays is proven equal to the incremental path by incremental-equivalence.test.ts; this
// covers the deletion itself and a build stopped between the commit and the deletion.
describe("staging's repeated copies of an event", () => {
  const temp = makeTempDir('staging-copies')
  const path = join(temp.dir, 'warehouse.duckdb')
  const warehouse = new EmbeddedWarehouse(path)

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 5, users: 400, days: 20, endDate: '2026-11-30' })
    assertDbtSucceeded(await warehouse.build({}))
    await warehouse.close()
  }, 300_000)
  afterAll(temp.cleanup)

  it('are deleted after a full load, which then carries the final stamp', async () => {
    const state = await stagingState(path)
    // The sample data repeats events (replays, day copies of streamed events), so there is something to delete.
    expect(state.rawRows).toBeGreaterThan(state.stagedRows)
    expect(state.repeatedKeys).toBe(0)
    expect(state.comment).not.toContain(PENDING)
    expect(state.comment).toMatch(/^event_key: /)
  })

  it('are removed by the next build when one stopped before deleting them: staging is rebuilt in full', async () => {
    const before = await stagingState(path)
    // A build stopped after its commit: every copy stored, the pending stamp on the table.
    await withDuckDbFile(path, { readOnly: false }, async ({ connection }) => {
      await connection.run(`
        insert into ${MODEL_SCHEMA}.stg_ga4__events
        select * from ${MODEL_SCHEMA}.stg_ga4__events using sample 50 rows`)
      await connection.run(`comment on table ${MODEL_SCHEMA}.stg_ga4__events is '${before.comment}${PENDING}'`)
    })
    const stopped = await stagingState(path)
    expect(stopped.repeatedKeys).toBe(50)

    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    await warehouse.close()
    const after = await stagingState(path)
    expect(after.repeatedKeys).toBe(0)
    expect(after.stagedRows).toBe(before.stagedRows)
    expect(after.comment).toBe(before.comment)
    // Rebuilt in full by this run, not loaded incrementally on top of the stopped one.
    expect(after.loads).toBe(1)
    expect(after.loadedAt).not.toBe(before.loadedAt)
  }, 300_000)
})
