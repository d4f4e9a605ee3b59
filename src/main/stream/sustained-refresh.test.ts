import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { dbtChildPids } from '../dbt/dbt-children'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { REFRESH_DEBOUNCE_MS } from './refresh-loop'
import { generateSampleData } from '../services/sample-data'

const CANCEL_PAUSE_MS = 1_500

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function burst(services: AppServices, count = 20): Promise<void> {
  const result = await services.handlers['stream:burst']({ count })
  if (!result.ok) throw new Error(result.error)
}

/** True while dbt is past its start and working through the models (so a cancel meets a real run). */
function isModelling(services: AppServices): boolean {
  const state = services.refresh.state()
  return state.state === 'running' && (state.progressPercent ?? 0) > 0
}

/** Streamed event ids the staging model holds. */
async function stagedStreamedEvents(services: AppServices): Promise<number> {
  return services.warehouse.embedded.exclusive(async () => {
    const { withDuckDbFile } = await import('../warehouse/duckdb-file')
    return withDuckDbFile(services.warehouse.embedded.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(`select count(*)::integer from attribution.stg_ga4__events where event_id is not null`)
      return Number(reader.getRows()[0]?.[0])
    })
  })
}

describe('the refresh loop under a sustained stream (real DuckDB, real dbt)', () => {
  const temp = makeTempDir('sustained-refresh')
  const path = join(temp.dir, 'warehouse.duckdb')
  let services: AppServices
  let builds: ReturnType<typeof vi.spyOn>

  beforeAll(async () => {
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 8, users: 1_500, days: 30, endDate: new Date().toISOString().slice(0, 10) })
    assertDbtSucceeded(await warehouse.build({}))
    await warehouse.close()
    services = await createAppServices({
      warehousePath: path,
      refreshDebounceMs: REFRESH_DEBOUNCE_MS,
      refreshCancelPauseMs: CANCEL_PAUSE_MS,
    })
    await services.refresh.warmUp()
    builds = vi.spyOn(services.warehouse.embedded, 'build')
  })
  afterAll(async () => {
    await services.close()
    temp.cleanup()
  })

  it('reads every burst that lands during a run in exactly one follow-up run', async () => {
    builds.mockClear()
    await burst(services)
    await until(() => isModelling(services), 60_000, 'the first run to model')
    for (let index = 0; index < 6; index++) {
      await burst(services)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await services.stream.delivered()
    await services.refresh.settled()
    expect(builds).toHaveBeenCalledTimes(2)
    const state = services.refresh.state()
    expect(state.state).toBe('idle')
    expect(state.unmodelledEvents).toBe(0)
  })

  it('keeps refreshing while a continuous stream lands batches faster than the debounce', async () => {
    builds.mockClear()
    const before = services.refresh.state().lastSuccessAt
    services.stream.start(50)
    try {
      // Deliveries land about every 200 ms, under the 300 ms debounce: a debounce pushed back each time would never run.
      await until(() => services.refresh.state().lastSuccessAt !== before, 90_000, 'a refresh during the stream')
    } finally {
      services.stream.stop()
    }
    await services.stream.delivered()
    await services.refresh.settled()
    expect(services.refresh.state().unmodelledEvents).toBe(0)
    expect(services.stream.status().sustainableRatePerSecond).toBeGreaterThan(0)
  })

  it('stops a run within 2 s on Cancel, says cancelled, and refreshes the cancelled events without a new burst', async () => {
    builds.mockClear()
    const stagedBefore = await stagedStreamedEvents(services)
    await burst(services)
    await until(() => isModelling(services), 60_000, 'the run to model')
    const workers = dbtChildPids()
    expect(workers.length).toBeGreaterThan(0)

    const cancelledAt = Date.now()
    const answer = await services.handlers['refresh:cancel']({})
    if (!answer.ok) throw new Error(answer.error)
    expect(answer.value.refresh.state).toBe('cancelled')
    const result = await (builds.mock.results[0]?.value as Promise<{ success: boolean; errors: string[] }>)
    expect(Date.now() - cancelledAt).toBeLessThan(2_000)
    expect(result.success).toBe(false)
    const state = services.refresh.state()
    expect(state.state).toBe('cancelled')
    expect(state.lastError).toBeNull()
    expect(state.unmodelledEvents).toBeGreaterThanOrEqual(20)
    // The killed worker is gone (a fresh one may be warming up already).
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow()

    // No new burst: the loop comes back by itself after its pause.
    await services.refresh.settled()
    expect(builds).toHaveBeenCalledTimes(2)
    const after = services.refresh.state()
    expect(after.state).toBe('idle')
    expect(after.unmodelledEvents).toBe(0)
    expect(await stagedStreamedEvents(services)).toBeGreaterThanOrEqual(stagedBefore + 20)
  })
})
