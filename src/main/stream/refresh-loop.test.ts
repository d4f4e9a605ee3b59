import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { makeTempDir } from '../testing/fixtures'
import { dbtChildPids } from '../dbt/dbt-children'
import { BUILD_FIRST_MESSAGE } from './refresh-loop'

describe('a refresh on a warehouse whose models were never built', () => {
  const temp = makeTempDir('refresh-unbuilt')
  let services: AppServices | undefined
  afterAll(async () => {
    await services?.close()
    temp.cleanup()
  })

  it('says to build first instead of showing a dbt error, and keeps the streamed events', async () => {
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb'), refreshDebounceMs: 20 })
    const burst = await services.handlers['stream:burst']({ count: 10 })
    expect(burst.ok).toBe(true)
    await services.stream.delivered()
    await services.refresh.settled()
    const refresh = services.refresh.state()
    expect(refresh.state).toBe('failed')
    expect(refresh.lastError).toBe(BUILD_FIRST_MESSAGE)
    expect((await services.warehouse.embedded.rawCounts()).intradayEvents).toBeGreaterThanOrEqual(10)
  })
})

describe("the app's first build", () => {
  const temp = makeTempDir('first-build')
  let services: AppServices | undefined
  afterAll(async () => {
    await services?.close()
    temp.cleanup()
  })

  it("runs in the refresh loop's warm dbt worker, not in a new dbt process", async () => {
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb'), userDataDir: temp.dir })
    await services.refresh.warmUp()
    const workers = dbtChildPids()
    expect(workers).toHaveLength(1)
    const seen = new Set<number>()
    const watch = setInterval(() => dbtChildPids().forEach((pid) => seen.add(pid)), 25)
    const buildSteps: string[] = []
    const stop = services.jobs.onProgress((progress) => {
      if (progress.job === 'build' && progress.phase === 'dbt') buildSteps.push(progress.message)
    })
    try {
      const status = await services.jobs.generateSample()
      expect(status.hasModels).toBe(true)
    } finally {
      clearInterval(watch)
      stop()
    }
    expect([...seen]).toEqual(workers)
    // The build's own progress still reaches the welcome view.
    expect(buildSteps.length).toBeGreaterThan(5)
  })
})
