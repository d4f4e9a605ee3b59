import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import type { StreamInfo } from '@shared/api'
import { type ExportEvent, writeExport } from '../src/main/testing/export-rows'
import { apiCaller, startOwnBridge } from './own-bridge'
import { ROOT, cli, cliReport, e2ePort } from './warehouses'

// Issue 24 in the app: the header's stream picker limits every view to one GA4 stream, and the
// Settings switch for user-id stitching re-models; each equals `attribution report` on the same
// file. A generated sample (one web stream) plus export-shaped rows of two more streams: a person
// signed in on two devices of one, and an iOS purchase in the other. Its own warehouse and bridge.
const PORT = e2ePort(24)
const URL = `http://127.0.0.1:${PORT}/`
const DIR = join(ROOT, 'test-results', 'streams-stitching')
const PATH = join(DIR, 'streams.duckdb')
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
const SHOP = '3600000001'
const IOS = '3600000002'
const LOOKBACK_DAYS = 14
/** The header's controls in at most two rows (as rough-edges-app.spec.ts measures it). */
const HEADER_MAX_PX = 120

/** The phone arrives from organic search and signs in later; the laptop buys after an email: stitched, organic earns first click. */
const ROWS: ExportEvent[] = [
  { device: 'phone.1', stream: SHOP, platform: 'WEB', sessionId: 1001, hour: 0, name: 'page_view', source: ['google', 'organic'] },
  { device: 'phone.1', stream: SHOP, platform: 'WEB', sessionId: 1002, hour: 24, name: 'page_view' },
  { device: 'phone.1', stream: SHOP, platform: 'WEB', userId: 'U-42', sessionId: 1002, hour: 24.1, name: 'login' },
  {
    device: 'laptop.1',
    stream: SHOP,
    platform: 'WEB',
    userId: 'U-42',
    sessionId: 2001,
    hour: 48,
    name: 'page_view',
    source: ['newsletter', 'email'],
  },
  {
    device: 'laptop.1',
    stream: SHOP,
    platform: 'WEB',
    userId: 'U-42',
    sessionId: 2001,
    hour: 48.1,
    name: 'purchase',
    transactionId: 'T-stitched',
  },
  { device: 'app.7', stream: IOS, platform: 'IOS', sessionId: 3001, hour: 30, name: 'screen_view', source: ['bing', 'cpc'] },
  { device: 'app.7', stream: IOS, platform: 'IOS', sessionId: 3001, hour: 30.1, name: 'purchase', transactionId: 'T-ios' },
]
let bridge: ChildProcess | undefined

test.beforeAll(async () => {
  test.setTimeout(300_000)
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  mkdirSync(SCREENSHOTS, { recursive: true })
  cli(['generate', '--users', '400', '--days', '30', '--end-date', '2026-10-31', '--seed', '24', '--warehouse', PATH])
  await writeExport(join(DIR, 'scratch.duckdb'), join(DIR, 'events.parquet'), ROWS)
  cli(['import', join(DIR, 'events.parquet'), '--warehouse', PATH])
  cli(['build', '--warehouse', PATH])
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

const integer = (text: string) => Number(text.replace(/[,+\s]/g, ''))
const money = (text: string) => text.replace(/[$,+\s]/g, '')

async function openView(page: Page, view: 'compare' | 'channels' | 'models' | 'settings'): Promise<void> {
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

/** The Channels view's rows under its model, as the CLI's JSON rows. */
async function channelRows(page: Page) {
  const rows = page.getByTestId('channels-row')
  await expect(rows.first()).toBeVisible()
  return Promise.all(
    (await rows.all()).map(async (row) => ({
      channel: (await row.getByTestId('channel').innerText()).trim(),
      conversions: integer((await row.getByTestId('conversions').getAttribute('title')) ?? ''),
      revenue_usd: money(await row.getByTestId('revenue').innerText()),
    })),
  )
}

/** The CLI's rows of a first-click report, the view's order aside. */
const byChannel = <T extends { channel?: string | null }>(rows: T[]) =>
  [...rows].sort((a, b) => String(a.channel).localeCompare(String(b.channel)))

test('the stream picker lists the streams and limits every view to one, as the CLI reports it; the header stays two rows', async ({
  page,
  request,
}) => {
  const streams = await apiCaller(request, URL)<StreamInfo[]>('attribution:streams')
  expect(streams.map((stream) => stream.streamId).sort()).toEqual(['2100450278', SHOP, IOS].sort())
  expect(streams.find((stream) => stream.streamId === IOS)).toEqual({ streamId: IOS, platform: 'IOS', events: 2 })

  await page.goto(URL)
  await openView(page, 'compare')
  const picker = page.getByTestId('stream-picker')
  await expect(picker).toBeEnabled()
  await expect(picker.locator('option')).toHaveText([
    'All streams',
    ...streams.map((stream) => `${stream.platform} ${stream.streamId} (${stream.events.toLocaleString('en-US')} events)`),
  ])
  await expect(picker).toHaveValue('')
  for (const [width, height] of [
    [1280, 720],
    [1024, 768],
  ] as const) {
    await page.setViewportSize({ width, height })
    expect((await page.locator('.app-header').boundingBox())?.height).toBeLessThanOrEqual(HEADER_MAX_PX)
    await page.screenshot({ path: join(SCREENSHOTS, `stream-picker-header-${width}x${height}.png`) })
  }

  const all = cliReport({ path: PATH }, { model: 'first_click', lookbackDays: LOOKBACK_DAYS })
  await expect.poll(async () => integer(await page.getByTestId('compare-total-conversions').innerText())).toBe(all.totals.conversions)
  await picker.selectOption(IOS)
  const ios = cliReport({ path: PATH }, { model: 'first_click', lookbackDays: LOOKBACK_DAYS, streamId: IOS })
  expect(ios.totals).toEqual({ conversions: 1, revenue_usd: '25.00' })
  await expect.poll(async () => integer(await page.getByTestId('compare-total-conversions').innerText())).toBe(ios.totals.conversions)
  expect(money(await page.getByTestId('compare-total-revenue').innerText())).toBe(ios.totals.revenue_usd)
  await expect(page.getByTestId('view-context')).toContainText(`stream ${IOS} (IOS)`)

  await openView(page, 'channels')
  await page.getByTestId('channels-model').selectOption('first_click')
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await expect.poll(async () => byChannel(await channelRows(page))).toEqual(byChannel(ios.rows))
  await openView(page, 'models')
  await expect.poll(async () => integer(await page.getByTestId('models-total-first_click').innerText())).toBe(ios.totals.conversions)

  await picker.selectOption('')
  await openView(page, 'compare')
  await expect.poll(async () => integer(await page.getByTestId('compare-total-conversions').innerText())).toBe(all.totals.conversions)
})

test('the Settings switch for user-id stitching re-models with progress; the views then equal the CLI, which reports the same setting', async ({
  page,
}) => {
  test.setTimeout(300_000)
  await page.goto(URL)
  await page.getByTestId('stream-picker').selectOption(SHOP)
  await openView(page, 'channels')
  await page.getByTestId('channels-model').selectOption('first_click')
  await expect(page.getByTestId('loading')).toHaveCount(0)
  // Stitched: the phone's organic session earns the laptop's purchase.
  const stitched = cliReport({ path: PATH }, { model: 'first_click', lookbackDays: LOOKBACK_DAYS, streamId: SHOP })
  expect(stitched.rows).toEqual([{ channel: 'Organic Search', conversions: 1, revenue_usd: '25.00' }])
  await expect.poll(async () => byChannel(await channelRows(page))).toEqual(byChannel(stitched.rows))

  await openView(page, 'settings')
  const toggle = page.getByTestId('stitching-toggle')
  await expect(toggle).toBeChecked()
  await expect(page.getByTestId('stitching-quality')).toHaveText('2 devices joined to 1 signed-in user at the last build.')
  for (const [width, height] of [
    [1280, 720],
    [1024, 768],
  ] as const) {
    await page.setViewportSize({ width, height })
    await page.getByTestId('stitching-panel').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SCREENSHOTS, `settings-stitching-${width}x${height}.png`) })
  }
  await toggle.uncheck()
  await expect(page.getByTestId('stitching-progress')).toBeVisible()
  await expect(page.getByTestId('stitching-progress')).toHaveCount(0, { timeout: 240_000 })
  await expect(page.getByTestId('stitching-error')).toHaveCount(0)
  await expect(toggle).not.toBeChecked()
  await expect(page.getByTestId('stitching-quality')).toHaveText(
    'The shown numbers were built without stitching: every device is its own user.',
  )
  expect(cli(['settings', '--warehouse', PATH])).toBe(
    'user-id stitching: off\nlast build: stitching off, 0 device(s) joined to 0 signed-in user(s)\n',
  )

  // Unstitched: the laptop is its own user, and its email session earns first click.
  await openView(page, 'channels')
  const unstitched = cliReport({ path: PATH }, { model: 'first_click', lookbackDays: LOOKBACK_DAYS, streamId: SHOP })
  expect(unstitched.rows).toEqual([{ channel: 'Email', conversions: 1, revenue_usd: '25.00' }])
  await expect.poll(async () => byChannel(await channelRows(page))).toEqual(byChannel(unstitched.rows))
})
