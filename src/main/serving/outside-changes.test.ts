import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { queryWarehouseStamp } from '../warehouse/duckdb-queries'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { stampDifference } from './outside-changes'
import { generateSampleData } from '../services/sample-data'

const CLI = join(projectRoot(), 'bin', 'attribution.js')

/** Runs the real CLI as another process, as a person would beside the open app. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectRoot() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function statusOf(services: AppServices) {
  const result = await services.handlers['warehouse:status']({})
  if (!result.ok) throw new Error(result.error)
  return result.value
}

async function streamStatusOf(services: AppServices) {
  const result = await services.handlers['stream:status']({})
  if (!result.ok) throw new Error(result.error)
  return result.value
}

describe('stampDifference', () => {
  const stamp = { events: 100, intradayEvents: 10, importedFiles: 1, modelsBuiltAt: '2026-12-01T10:00:00.000Z' }

  it('is undefined when nothing changed, and names what did', () => {
    expect(stampDifference(stamp, { ...stamp })).toBeUndefined()
    expect(stampDifference(stamp, { ...stamp, intradayEvents: 30 })).toEqual({
      importedEvents: 0,
      streamedEvents: 20,
      importedFiles: 0,
      modelsBuiltAt: null,
    })
    expect(stampDifference(stamp, { ...stamp, events: 150, importedFiles: 2, modelsBuiltAt: '2026-12-01T10:05:00.000Z' })).toEqual({
      importedEvents: 50,
      streamedEvents: 0,
      importedFiles: 1,
      modelsBuiltAt: '2026-12-01T10:05:00.000Z',
    })
  })
})

describe('changes the CLI makes to the warehouse the app has open', () => {
  const temp = makeTempDir('outside-changes')
  const path = join(temp.dir, 'warehouse.duckdb')
  let services: AppServices

  beforeAll(async () => {
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 3, users: 200, days: 10, endDate: new Date().toISOString().slice(0, 10) })
    assertDbtSucceeded(await warehouse.build({}))
    await warehouse.close()
    services = await createAppServices({ warehousePath: path, userDataDir: temp.dir, refreshDebounceMs: 50, outsidePollMs: 200 })
    await services.refresh.warmUp()
  })
  afterAll(async () => {
    await services?.close()
    temp.cleanup()
  })

  it("lets a CLI stream take the idle app's file, shows its events within seconds, and refreshes the models", async () => {
    const before = await statusOf(services)
    const streamed = await cli(['stream', '--count', '20', '--seed', '41', '--warehouse', path])
    expect(streamed.stderr).not.toMatch(/in use/)
    expect(streamed.code).toBe(0)

    await expect.poll(() => services.outside.latest()?.streamedEvents, { timeout: 10_000, interval: 100 }).toBe(20)
    expect(services.outside.latest()).toMatchObject({ importedEvents: 0, importedFiles: 0, modelsBuiltAt: null })
    expect((await streamStatusOf(services)).outsideChange).toEqual(services.outside.latest())
    expect((await statusOf(services)).intradayEvents).toBe(before.intradayEvents + 20)

    // No outside build modelled them, so the app's refresh loop does, and then lets go of the file again.
    await expect
      .poll(async () => (await streamStatusOf(services)).refresh.lastSuccessAt, { timeout: 120_000, interval: 250 })
      .not.toBeNull()
    const feed = await services.handlers['events:recent']({ limit: 500 })
    if (!feed.ok) throw new Error(feed.error)
    const streamedKeys = await withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(
        `select list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value as id from ga4.events_intraday`,
      )
      return reader.getRowObjectsJson().map((row) => String(row.id))
    })
    expect(streamedKeys).toHaveLength(20)
    const shown = new Set(feed.value.map((event) => event.event_key))
    expect(streamedKeys.filter((key) => shown.has(key))).toHaveLength(20)
  })

  it('reloads the models another process rebuilt, and says when', async () => {
    const seen = services.outside.latest()?.id ?? 0
    const built = await cli(['build', '--warehouse', path])
    expect(built.stderr).toContain('dbt build finished')
    expect(built.code).toBe(0)
    const fileBuiltAt = (await withDuckDbFile(path, { readOnly: true }, ({ connection }) => queryWarehouseStamp(connection))).modelsBuiltAt
    await expect.poll(() => services.outside.latest()?.id ?? 0, { timeout: 10_000, interval: 100 }).toBeGreaterThan(seen)
    expect(services.outside.latest()?.modelsBuiltAt).toBe(fileBuiltAt)
    expect(Date.parse((await statusOf(services)).modelsBuiltAt ?? '')).toBe(Math.floor(Date.parse(fileBuiltAt ?? '') / 1000) * 1000)
  })

  it("never takes the app's own stream, refresh or a CLI report for an outside change", async () => {
    const seen = services.outside.latest()?.id
    const report = await cli(['report', '--model', 'last_click', '--format', 'json', '--warehouse', path])
    expect(report.code).toBe(0)
    const burst = await services.handlers['stream:burst']({ count: 10 })
    if (!burst.ok) throw new Error(burst.error)
    await services.stream.delivered()
    await services.refresh.settled()
    await services.outside.tick()
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(services.outside.latest()?.id).toBe(seen)
    // And the file is free again: the CLI can write it.
    const status = await cli(['status', '--warehouse', path])
    expect(status.code).toBe(0)
  })
})
