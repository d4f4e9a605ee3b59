import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Locator, type Page, expect, test } from '@playwright/test'
import type { ConversionEventInfo } from '@shared/attribution'
import { apiCaller, startOwnBridge } from './own-bridge'
import { ROOT, cli, cliReport, e2ePort } from './warehouses'

// Choosing view_item as a conversion in the app models it (it was not), and every view then shows
// what `attribution report --conversion-events view_item` says on the same file: the app and the CLI
// share the set of modelled events. Its own warehouse and bridge, since modelling changes the file.
const PORT = e2ePort(21)
const URL = `http://127.0.0.1:${PORT}/`
const DIR = join(ROOT, 'test-results', 'key-events')
const PATH = join(DIR, 'key-events.duckdb')
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
const EVENTS = ['view_item']
const LOOKBACK_DAYS = 14
let bridge: ChildProcess | undefined

test.beforeAll(async () => {
  test.setTimeout(240_000)
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  mkdirSync(SCREENSHOTS, { recursive: true })
  cli(['generate', '--users', '600', '--days', '30', '--end-date', '2026-10-31', '--seed', '21', '--warehouse', PATH])
  cli(['build', '--warehouse', PATH])
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

const integer = (text: string) => Number(text.replace(/[,+\s]/g, ''))
const money = (text: string) => text.replace(/[$,+\s]/g, '')
const text = async (locator: Locator) => (await locator.innerText()).trim()

async function openView(page: Page, view: 'compare' | 'models' | 'paths' | 'trends' | 'channels'): Promise<void> {
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

test('view_item chosen as a conversion is modelled with progress, and every view equals the CLI', async ({ page, request }) => {
  test.setTimeout(300_000)
  const call = apiCaller(request, URL)
  const before = await call<ConversionEventInfo[]>('attribution:conversionEvents')
  expect(before.find((info) => info.name === 'view_item')).toMatchObject({ modelled: false })
  expect(before.find((info) => info.name === 'purchase')).toMatchObject({ modelled: true })
  // Most frequent first, as the picker lists them.
  expect(before.map((info) => info.events)).toEqual([...before.map((info) => info.events)].sort((a, b) => b - a))

  await page.goto(URL)
  await openView(page, 'compare')
  const viewItem = before.find((info) => info.name === 'view_item') as ConversionEventInfo
  await expect(page.getByTestId('conversion-option-view_item')).toHaveText(
    `view_item (${viewItem.events.toLocaleString('en-US')}) · models it`,
  )
  await expect(page.getByTestId('conversion-option-purchase')).toHaveText(/^\s*purchase \([\d,]+\)\s*$/)
  // Every event name is offered, most frequent first.
  const offered = await page.getByTestId('conversion-event-add').locator('option[value]:not([value=""])').allTextContents()
  expect(offered.map((label) => label.trim().split(' ')[0])).toEqual(before.map((info) => info.name))
  await page.getByTestId('conversion-event-add').selectOption('view_item')
  await expect(page.getByTestId('conversion-event-modelling')).toBeVisible()
  await expect(page.getByTestId('conversion-chip-view_item')).toHaveClass(/is-active/, { timeout: 240_000 })
  await expect(page.getByTestId('conversion-event-modelling')).toHaveCount(0)
  // Only view_item: purchase off (switching among modelled events needs no build).
  await page.getByTestId('conversion-chip-purchase').click()
  await expect(page.getByTestId('conversion-chip-purchase')).not.toHaveClass(/is-active/)
  await expect(page.getByTestId('loading')).toHaveCount(0)

  // The CLI reads the same modelled set from the file: it reports view_item without a build of its own.
  const first = cliReport({ path: PATH }, { model: 'first_click', lookbackDays: LOOKBACK_DAYS, conversionEvents: EVENTS })
  const total = first.totals
  expect(total.conversions).toBeGreaterThan(0)

  // Compare models (first vs last click by default).
  await expect.poll(async () => integer(await text(page.getByTestId('compare-total-conversions')))).toBe(total.conversions)
  expect(money(await text(page.getByTestId('compare-total-revenue')))).toBe(total.revenue_usd)
  await page.screenshot({ path: join(SCREENSHOTS, 'key-events-view-item-compare.png'), fullPage: true })

  // Channels: every channel's row as the CLI reports it (last click, the view's default model, is compared by totals).
  await openView(page, 'channels')
  await expect.poll(async () => integer(await text(page.getByTestId('channels-total-conversions')))).toBe(total.conversions)
  expect(money(await text(page.getByTestId('channels-total-revenue')))).toBe(total.revenue_usd)

  // Model comparison: first click's total column.
  await openView(page, 'models')
  await expect.poll(async () => integer(await text(page.getByTestId('models-total-first_click')))).toBe(total.conversions)

  // Conversion paths: the paths' totals.
  await openView(page, 'paths')
  await expect.poll(async () => integer(await text(page.getByTestId('paths-total-conversions')))).toBe(total.conversions)
  expect(money(await text(page.getByTestId('paths-total-revenue')))).toBe(total.revenue_usd)

  // Trends: the days shown sum to the CLI's report for those days.
  await openView(page, 'trends')
  const rows = page.getByTestId('trends-point-row')
  await expect(rows.first()).toBeVisible()
  const points = await Promise.all(
    (await rows.all()).map(async (row) => ({
      date: await text(row.getByTestId('date')),
      model: (await row.getAttribute('data-model')) ?? '',
      conversions: integer(await text(row.getByTestId('conversions'))),
    })),
  )
  const dates = [...new Set(points.map((point) => point.date))].map((date) => new Date(`${date} UTC`).toISOString().slice(0, 10)).sort()
  const ranged = cliReport(
    { path: PATH },
    { model: 'first_click', lookbackDays: LOOKBACK_DAYS, conversionEvents: EVENTS, from: dates[0], to: dates.at(-1) },
  )
  const shown = points.filter((point) => point.model === 'first_click').reduce((sum, point) => sum + point.conversions, 0)
  expect(shown).toBe(ranged.totals.conversions)
  await page.screenshot({ path: join(SCREENSHOTS, 'key-events-view-item-trends.png'), fullPage: true })

  // The set is kept: the list says view_item is modelled, for the app and the CLI alike.
  const after = await call<ConversionEventInfo[]>('attribution:conversionEvents')
  expect(after.find((info) => info.name === 'view_item')).toMatchObject({ modelled: true, events: viewItem.events })
  expect(cli(['events', '--warehouse', PATH])).toMatch(/^view_item +[\d,]+ +modelled$/m)
})
