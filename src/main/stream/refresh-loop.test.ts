import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { makeTempDir } from '../testing/fixtures'
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
