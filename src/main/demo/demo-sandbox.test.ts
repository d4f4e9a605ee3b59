import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoStatus, MartsChanged, StreamStatus, WarehouseStatus } from '@shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { main } from '../cli/main'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { queryRawCounts } from '../warehouse/duckdb-queries'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { rawFolderOf } from '../warehouse/raw-files'
import { createDemoSandbox, demoFolderOf, demoWarehousePathOf, hasImportedData, readDemoSandbox, removeDemoSandbox } from './demo-sandbox'

/** Raw counts and stream receipts of a closed warehouse file, read-only. */
async function rawFigures(path: string): Promise<{ events: number; intradayEvents: number; importedFiles: number; receipts: number }> {
  return withDuckDbFile(path, { readOnly: true }, async (file) => {
    const receipts = await file.connection.runAndReadAll('select count(*)::integer as n from ga4.stream_receipts')
    return { ...(await queryRawCounts(file.connection)), receipts: Number(receipts.getRowObjectsJson()[0]?.n) }
  })
}

/** A handler's value, or the test fails with its error. */
function valueOf<T>(answer: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!answer.ok) throw new Error(answer.error)
  return answer.value
}

// Real GA4 rows imported and built with real dbt: the warehouse an analyst would have.
describe.skipIf(!hasGa4Fixtures)('the demo sandbox', { timeout: 600_000 }, () => {
  const temp = makeTempDir('demo-sandbox')
  const path = join(temp.dir, 'analytics.duckdb')

  beforeAll(async () => {
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.importFiles([GA4_FIXTURES.parquet])
    assertDbtSucceeded(await warehouse.build())
    await warehouse.close()
  }, 600_000)
  afterAll(() => temp.cleanup())

  it('copies the warehouse with its models and links its Parquet files, labels it, and is removed whole', async () => {
    const before = await rawFigures(path)
    const info = await createDemoSandbox(path)
    expect(info).toMatchObject({
      location: demoWarehousePathOf(path),
      sourceName: 'analytics.duckdb',
      events: before.events + before.intradayEvents,
    })
    expect(readDemoSandbox(path)).toEqual(info)
    // Kept Parquet files are never changed, so the copy links them: no second copy of the export on disk.
    const [kept] = readdirSync(rawFolderOf(path))
    expect(kept).toBeDefined()
    expect(statSync(join(rawFolderOf(info.location), kept ?? '')).ino).toBe(statSync(join(rawFolderOf(path), kept ?? '')).ino)
    const copied = await rawFigures(info.location)
    expect(copied).toEqual(before)
    await withDuckDbFile(info.location, { readOnly: true }, async (file) => {
      expect(await hasImportedData(file.connection)).toBe(true)
      const marts = await file.connection.runAndReadAll('select count(*)::integer as n from attribution.fct_attribution_credits')
      expect(Number(marts.getRowObjectsJson()[0]?.n)).toBeGreaterThan(0)
    })

    removeDemoSandbox(path)
    expect(existsSync(demoFolderOf(path))).toBe(false)
    expect(readDemoSandbox(path)).toBeNull()
    expect(await rawFigures(path)).toEqual(before)
    expect(existsSync(join(rawFolderOf(path), kept ?? ''))).toBe(true)
  })

  it("streams the app's demo bursts into the sandbox, never into the real warehouse; one call goes back, another removes it", async () => {
    const before = await rawFigures(path)
    const services: AppServices = await createAppServices({ warehousePath: path, autoSetUpDbt: false, refreshDebounceMs: 50 })
    const martsChanges: MartsChanged[] = []
    services.onMartsChanged((change) => martsChanges.push(change))
    let isClosed = false
    try {
      const burst = valueOf(await services.handlers['stream:burst']({ count: 10, mode: 'demo' }))
      expect(burst.queued).toBeGreaterThanOrEqual(10)
      const demo = services.demo.active()
      expect(demo).toBeDefined()
      await demo?.stream.delivered()
      // The demo copy, made after the app started, announces its snapshots as the real warehouse does.
      expect(martsChanges.length).toBeGreaterThan(0)
      const status = valueOf(await services.handlers['stream:status']({})) as StreamStatus
      expect(status.demo).toMatchObject({
        isActive: true,
        sandbox: { sourceName: 'analytics.duckdb', location: demoWarehousePathOf(path) },
      })
      expect((valueOf(await services.handlers['warehouse:status']({})) as WarehouseStatus).location).toBe(demoWarehousePathOf(path))
      // The live feed marks what "Stream events" made up.
      const feed = valueOf(await services.handlers['events:recent']({ limit: 50 }))
      expect(feed.filter((event) => event.delivery === 'new').every((event) => event.is_demo === true)).toBe(true)

      // Still in the app's hands: the figures of the closed files after the app let go.
      await services.close()
      isClosed = true
      expect(await rawFigures(path)).toEqual(before)
      const sandbox = await rawFigures(demoWarehousePathOf(path))
      expect(sandbox.intradayEvents).toBe(before.intradayEvents + burst.added)
      expect(sandbox.receipts).toBe(before.receipts + burst.added)
    } finally {
      if (!isClosed) await services.close()
    }

    const reopened = await createAppServices({ warehousePath: path, autoSetUpDbt: false })
    try {
      // A new start shows the real warehouse; the sandbox waits to be entered again or removed.
      expect((valueOf(await reopened.handlers['warehouse:status']({})) as WarehouseStatus).location).toBe(path)
      expect(valueOf(await reopened.handlers['demo:status']({})) as DemoStatus).toMatchObject({
        isActive: false,
        sandbox: { sourceName: 'analytics.duckdb' },
      })
      expect(valueOf(await reopened.handlers['demo:enter']({})) as DemoStatus).toMatchObject({ isActive: true })
      expect((valueOf(await reopened.handlers['warehouse:status']({})) as WarehouseStatus).location).toBe(demoWarehousePathOf(path))
      expect(valueOf(await reopened.handlers['demo:leave']({})) as DemoStatus).toMatchObject({ isActive: false })
      expect((valueOf(await reopened.handlers['warehouse:status']({})) as WarehouseStatus).location).toBe(path)
      expect(valueOf(await reopened.handlers['demo:remove']({})) as DemoStatus).toMatchObject({ isActive: false, sandbox: null })
      expect(existsSync(demoFolderOf(path))).toBe(false)
    } finally {
      await reopened.close()
    }
    expect(await rawFigures(path)).toEqual(before)
  })

  it("makes the CLI's stream refuse a warehouse with imported exports, and write into the demo copy with --into-sandbox", async () => {
    const before = await rawFigures(path)
    expect(await main(['stream', '--count', '5', '--warehouse', path])).toBe(1)
    expect(await rawFigures(path)).toEqual(before)
    expect(await main(['stream', '--count', '5', '--seed', '3', '--into-sandbox', '--warehouse', path])).toBe(0)
    expect(await rawFigures(path)).toEqual(before)
    const sandbox = await rawFigures(demoWarehousePathOf(path))
    expect(sandbox.intradayEvents).toBeGreaterThanOrEqual(before.intradayEvents + 5)
    removeDemoSandbox(path)
  })
})
