import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobProgress } from '@shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { projectRoot } from '../paths'
import { attributionReport } from '../services/model-reports'
import { saveModelSettings } from '../settings/model-settings'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { type ExportEvent, writeExport } from '../testing/export-rows'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'

const CLI = join(projectRoot(), 'bin', 'attribution.js')
const WEB = '3600000001'
const IOS = '3600000002'

/**
 * One person on two devices of the web stream: the phone arrives from organic search without
 * signing in, signs in on a later visit, and the laptop buys after an email. So with stitching the
 * phone's first session earns first click; without it the laptop's own email session does.
 */
const TWO_DEVICES: ExportEvent[] = [
  { device: 'phone.1', stream: WEB, platform: 'WEB', sessionId: 1001, hour: 0, name: 'page_view', source: ['google', 'organic'] },
  { device: 'phone.1', stream: WEB, platform: 'WEB', sessionId: 1002, hour: 24, name: 'page_view' },
  { device: 'phone.1', stream: WEB, platform: 'WEB', userId: 'U-42', sessionId: 1002, hour: 24.1, name: 'login' },
  {
    device: 'laptop.1',
    stream: WEB,
    platform: 'WEB',
    userId: 'U-42',
    sessionId: 2001,
    hour: 48,
    name: 'page_view',
    source: ['newsletter', 'email'],
  },
  {
    device: 'laptop.1',
    stream: WEB,
    platform: 'WEB',
    userId: 'U-42',
    sessionId: 2001,
    hour: 48.1,
    name: 'purchase',
    transactionId: 'T-stitched',
  },
]

/**
 * One user_pseudo_id in a web and an iOS stream, the same session id in both: two users. Were
 * they one, the iOS purchase's first click would be the earlier web session's Organic Search.
 */
const TWO_STREAMS: ExportEvent[] = [
  { device: 'shared.7', stream: WEB, platform: 'WEB', sessionId: 3001, hour: 1, name: 'page_view', source: ['bing', 'organic'] },
  { device: 'shared.7', stream: WEB, platform: 'WEB', sessionId: 3001, hour: 1.1, name: 'purchase', transactionId: 'T-web' },
  { device: 'shared.7', stream: IOS, platform: 'IOS', sessionId: 3001, hour: 30, name: 'screen_view', source: ['newsletter', 'email'] },
  { device: 'shared.7', stream: IOS, platform: 'IOS', sessionId: 3001, hour: 30.1, name: 'purchase', transactionId: 'T-ios' },
]

async function query(warehouse: EmbeddedWarehouse, sql: string): Promise<Array<Record<string, unknown>>> {
  return withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJson(),
  )
}

/** The channel each model credits each purchase with at a 14-day lookback (one session per conversion for these models). */
async function creditedChannels(warehouse: EmbeddedWarehouse, model: string): Promise<Record<string, unknown>> {
  const rows = await query(
    warehouse,
    `select transaction_id, channel from attribution.fct_attribution_credits join attribution.int_conversions_deduplicated using (conversion_id)
     where attribution_model = '${model}' and 14 between min_lookback_days and max_lookback_days order by transaction_id`,
  )
  return Object.fromEntries(rows.map((row) => [String(row.transaction_id), row.channel]))
}

describe('user-id stitching and streams, on export-shaped rows', () => {
  const temp = makeTempDir('user-stitching')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))

  beforeAll(async () => {
    await writeExport(join(temp.dir, 'scratch.duckdb'), join(temp.dir, 'events.parquet'), [...TWO_DEVICES, ...TWO_STREAMS])
    await warehouse.importFiles([join(temp.dir, 'events.parquet')])
    assertDbtSucceeded(await warehouse.build({}))
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it("joins a signed-in person's devices: the first device's session earns first click", async () => {
    expect(await creditedChannels(warehouse, 'first_click')).toMatchObject({ 'T-stitched': 'Organic Search' })
    expect(await creditedChannels(warehouse, 'last_click')).toMatchObject({ 'T-stitched': 'Email' })
    // Sessions stay per device: each keeps its device's key, under the one person.
    const sessions = await query(
      warehouse,
      `select session_key, user_key, device_key from attribution.int_sessions_classified where user_key = 'uid:U-42' order by session_started_micros`,
    )
    expect(sessions).toEqual(
      [...new Map(TWO_DEVICES.map((event) => [event.sessionId, event])).values()].map((event) => ({
        session_key: `${event.stream}/${event.device}:${event.sessionId}`,
        user_key: 'uid:U-42',
        device_key: `${event.stream}/${event.device}`,
      })),
    )
    const [quality] = await query(
      warehouse,
      'select is_user_id_stitching_on, stitched_devices::int as stitched_devices, stitched_users::int as stitched_users from attribution.rpt_data_quality',
    )
    expect(quality).toEqual({ is_user_id_stitching_on: true, stitched_devices: 2, stitched_users: 1 })
  })

  it('keeps one user_pseudo_id in two streams two users, each credited by its own sessions', async () => {
    expect(await creditedChannels(warehouse, 'first_click')).toMatchObject({ 'T-web': 'Organic Search', 'T-ios': 'Email' })
    const users = await query(
      warehouse,
      `select distinct user_key from attribution.int_sessions_classified where user_key like '%/shared.7' order by user_key`,
    )
    expect(users.map((row) => row.user_key)).toEqual([`${WEB}/shared.7`, `${IOS}/shared.7`])
  })

  it('filters reports to one stream, in the service and in the CLI, and refuses a stream it does not have', async () => {
    const purchases = [...TWO_DEVICES, ...TWO_STREAMS].filter((event) => event.name === 'purchase')
    for (const streamId of [WEB, IOS]) {
      const request = {
        model: 'first_click' as const,
        lookbackDays: 14,
        conversionEvents: ['purchase' as const],
        by: 'channel' as const,
        streamId,
      }
      const report = await attributionReport(warehouse, request)
      expect(report.totals.conversions, streamId).toBe(purchases.filter((event) => event.stream === streamId).length)
      // Data-driven reads the journeys of that stream only, and counts the same conversions.
      expect((await attributionReport(warehouse, { ...request, model: 'data_driven' })).totals.conversions).toBeCloseTo(
        report.totals.conversions,
        6,
      )
      const cli = spawnSync(
        process.execPath,
        [CLI, 'report', '--model', 'first_click', '--stream', streamId, '--format', 'json', '--warehouse', warehouse.path],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      )
      expect(JSON.parse(cli.stdout)).toEqual(report)
    }
    expect(
      (
        await attributionReport(warehouse, {
          model: 'first_click',
          lookbackDays: 14,
          conversionEvents: ['purchase'],
          by: 'channel',
          streamId: IOS,
        })
      ).rows,
    ).toEqual([{ channel: 'Email', conversions: 1, revenue_usd: '25.00' }])
    const unknown = spawnSync(
      process.execPath,
      [CLI, 'report', '--model', 'first_click', '--stream', '42', '--warehouse', warehouse.path],
      { encoding: 'utf8', timeout: 120_000 },
    )
    expect([unknown.status, unknown.stderr]).toEqual([1, `No modelled events are of stream 42. Streams: ${WEB} (WEB), ${IOS} (IOS).\n`])
  })

  it('keeps every device its own user with stitching turned off in the model settings, and says so', async () => {
    // The setting the app and the CLI share; the next (incremental) run applies it.
    expect((await saveModelSettings(warehouse.path, { userIdStitching: false })).ok).toBe(true)
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    expect(await creditedChannels(warehouse, 'first_click')).toMatchObject({ 'T-stitched': 'Email' })
    const [quality] = await query(
      warehouse,
      'select is_user_id_stitching_on, stitched_devices::int as stitched_devices from attribution.rpt_data_quality',
    )
    expect(quality).toEqual({ is_user_id_stitching_on: false, stitched_devices: 0 })
    // Switching back recomputes the signed-in devices incrementally.
    expect((await saveModelSettings(warehouse.path, { userIdStitching: true })).ok).toBe(true)
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    expect(await creditedChannels(warehouse, 'first_click')).toMatchObject({ 'T-stitched': 'Organic Search' })
  })
})

describe("the app's user-id stitching switch and stream list, on export-shaped rows", () => {
  const temp = makeTempDir('stitching-app')
  const root = join(temp.dir, 'exports')
  const warehousePath = join(temp.dir, 'data', 'warehouse.duckdb')
  let services: AppServices

  beforeAll(async () => {
    mkdirSync(root, { recursive: true })
    await writeExport(join(temp.dir, 'scratch.duckdb'), join(root, 'events.parquet'), [...TWO_DEVICES, ...TWO_STREAMS])
    services = await createAppServices({ warehousePath, autoSetUpDbt: false, importRoot: root })
    const imported = await services.handlers['warehouse:importFiles']({ files: ['events.parquet'] })
    if (!imported.ok) throw new Error(imported.error)
  })
  afterAll(async () => {
    await services?.close()
    temp.cleanup()
  })

  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--warehouse', warehousePath], { encoding: 'utf8', timeout: 120_000 })
  const firstClick = async (streamId?: string) => {
    const answer = await services.handlers['attribution:breakdown']({
      model: 'first_click',
      by: 'channel',
      lookbackDays: 14,
      conversionEvents: ['purchase'],
      ...(streamId ? { streamId } : {}),
    })
    if (!answer.ok) throw new Error(answer.error)
    return answer.value
  }

  it('lists the streams the served views read, with platform and event counts', async () => {
    const events = [...TWO_DEVICES, ...TWO_STREAMS]
    expect(await services.handlers['attribution:streams']({})).toEqual({
      ok: true,
      value: [
        { streamId: WEB, platform: 'WEB', events: events.filter((event) => event.stream === WEB).length },
        { streamId: IOS, platform: 'IOS', events: events.filter((event) => event.stream === IOS).length },
      ],
    })
    for (const streamId of [WEB, IOS]) {
      const report = JSON.parse(cli(['report', '--model', 'first_click', '--stream', streamId, '--format', 'json']).stdout)
      expect(await firstClick(streamId)).toEqual(report)
    }
  })

  it('shows the stored setting and the devices joined, refuses a malformed change, and re-models with progress on a change', async () => {
    expect(await services.handlers['modelling:getSettings']({})).toEqual({
      ok: true,
      value: { settings: { userIdStitching: true }, lastBuild: { isUserIdStitchingOn: true, stitchedDevices: 2, stitchedUsers: 1 } },
    })
    expect(await services.handlers['modelling:saveSettings']({ userIdStitching: 'off' })).toEqual({
      ok: false,
      error: 'userIdStitching must be true or false.',
    })
    expect(await services.handlers['modelling:saveSettings']({ userIdStitching: false, lookbackDays: 3 })).toEqual({
      ok: false,
      error: 'Unknown model setting: lookbackDays.',
    })
    expect((await firstClick()).rows).toContainEqual({ channel: 'Organic Search', conversions: 2, revenue_usd: '50.00' })

    const progress: JobProgress[] = []
    const stop = services.jobs.onProgress((pushed) => progress.push(pushed))
    const saved = await services.handlers['modelling:saveSettings']({ userIdStitching: false })
    stop()
    expect(saved).toEqual({
      ok: true,
      value: { settings: { userIdStitching: false }, lastBuild: { isUserIdStitchingOn: false, stitchedDevices: 0, stitchedUsers: 0 } },
    })
    expect(progress.map((step) => step.phase)).toEqual(expect.arrayContaining(['starting', 'dbt', 'done']))
    // The laptop is its own user again: its email session earns first click, in the app's view and in the CLI's report alike.
    const report = await firstClick()
    expect(report.rows).toContainEqual({ channel: 'Email', conversions: 2, revenue_usd: '50.00' })
    expect(JSON.parse(cli(['report', '--model', 'first_click', '--format', 'json']).stdout)).toEqual(report)
    expect(cli(['settings']).stdout).toBe('user-id stitching: off\nlast build: stitching off, 0 device(s) joined to 0 signed-in user(s)\n')
  })

  it('reports what the CLI changed: one setting in one place', async () => {
    expect(cli(['settings', '--user-id-stitching', 'on']).status).toBe(0)
    expect(await services.handlers['modelling:getSettings']({})).toMatchObject({ ok: true, value: { settings: { userIdStitching: true } } })
  })
})
