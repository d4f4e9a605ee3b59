import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Locator, type Page, expect, test } from '@playwright/test'
import { type CliRow, ROOT, WAREHOUSES, type WarehouseName, cli, cliReport, hasFixture } from './warehouses'

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })

type Figures = { conversions: number; revenue_usd: string }

/** "$1,234.50" or "+$1,234.50" -> "1234.50"; "1,234" -> 1234. */
function money(text: string): string {
  return text.replace(/[$,+\s]/g, '')
}
function integer(text: string): number {
  return Number(text.replace(/[,+\s]/g, ''))
}
async function cell(row: Locator, testid: string): Promise<string> {
  return (await row.getByTestId(testid).innerText()).trim()
}

function byKey(rows: CliRow[], key: (row: CliRow) => string): Record<string, Figures> {
  return Object.fromEntries(rows.map((row) => [key(row), { conversions: row.conversions, revenue_usd: row.revenue_usd }]))
}

async function open(page: Page, warehouse: WarehouseName, view: 'compare' | 'trends' | 'channels' | 'feed'): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[warehouse].port}/`)
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

async function setLookback(page: Page, days: number): Promise<void> {
  const input = page.getByTestId('lookback-input')
  await input.fill(String(days))
  await input.blur()
}

/** The Compare models table (its default pair: first click as a, last click as b) as { channel: { first, last } }. */
async function readComparison(page: Page): Promise<Record<string, { first: Figures; last: Figures }>> {
  const out: Record<string, { first: Figures; last: Figures }> = {}
  for (const row of await page.getByTestId('compare-row').all()) {
    out[await cell(row, 'channel')] = {
      first: { conversions: integer(await cell(row, 'a-conversions')), revenue_usd: money(await cell(row, 'a-revenue')) },
      last: { conversions: integer(await cell(row, 'b-conversions')), revenue_usd: money(await cell(row, 'b-revenue')) },
    }
  }
  return out
}

/** What `attribution report` says for the same settings, shaped like the table. */
function expectedComparison(warehouse: WarehouseName, lookbackDays: number): Record<string, { first: Figures; last: Figures }> {
  const first = byKey(cliReport(warehouse, { model: 'first_click', lookbackDays }).rows, (row) => row.channel ?? '')
  const last = byKey(cliReport(warehouse, { model: 'last_click', lookbackDays }).rows, (row) => row.channel ?? '')
  const zero = { conversions: 0, revenue_usd: '0.00' }
  const channels = new Set([...Object.keys(first), ...Object.keys(last)])
  return Object.fromEntries([...channels].map((channel) => [channel, { first: first[channel] ?? zero, last: last[channel] ?? zero }]))
}

async function readChannels(page: Page, keys: string[]): Promise<Record<string, Figures>> {
  const out: Record<string, Figures> = {}
  for (const row of await page.getByTestId('channels-row').all()) {
    const label = (await Promise.all(keys.map((key) => cell(row, key)))).join(' / ')
    out[label] = { conversions: integer(await cell(row, 'conversions')), revenue_usd: money(await cell(row, 'revenue')) }
  }
  return out
}

for (const warehouse of ['fixture', 'generated'] as const) {
  test.describe(`dashboard on the ${warehouse} warehouse`, () => {
    test.skip(warehouse === 'fixture' && !hasFixture, 'the real GA4 fixture in ../shared/fixtures/ga4 is absent')

    test('first vs last shows what `attribution report` says, and follows the lookback to 1 and 90', async ({ page }) => {
      await open(page, warehouse, 'compare')
      await expect.poll(() => readComparison(page)).toEqual(expectedComparison(warehouse, 14))
      const total = cliReport(warehouse, { model: 'first_click', lookbackDays: 14 }).totals
      expect(integer(await page.getByTestId('compare-total-conversions').innerText())).toBe(total.conversions)
      expect(money(await page.getByTestId('compare-total-revenue').innerText())).toBe(total.revenue_usd)
      await page.screenshot({ path: join(SCREENSHOTS, `${warehouse}-compare.png`), fullPage: true })

      const shown: string[] = []
      for (const lookbackDays of [1, 90]) {
        await setLookback(page, lookbackDays)
        const expected = expectedComparison(warehouse, lookbackDays)
        await expect.poll(() => readComparison(page)).toEqual(expected)
        shown.push(JSON.stringify(expected))
      }
      // The numbers must really move with the lookback on these journeys.
      expect(shown[0]).not.toBe(shown[1])
    })

    test('trends show the last 14 days of data per model, summing to the report for those dates', async ({ page }) => {
      await open(page, warehouse, 'trends')
      const rows = page.getByTestId('trends-point-row')
      await expect(rows.first()).toBeVisible()
      const points = await Promise.all(
        (await rows.all()).map(async (row) => ({
          date: await cell(row, 'date'),
          model: (await row.getAttribute('data-model')) ?? '',
          conversions: integer(await cell(row, 'conversions')),
          revenue_cents: Math.round(Number(money(await cell(row, 'revenue'))) * 100),
        })),
      )
      const isoDates = [...new Set(points.map((point) => point.date))]
        .map((date) => new Date(`${date} UTC`).toISOString().slice(0, 10))
        .sort()
      expect(isoDates).toHaveLength(14)
      for (const model of ['first_click', 'last_click']) {
        const report = cliReport(warehouse, { model, lookbackDays: 14, from: isoDates[0], to: isoDates[13] })
        const mine = points.filter((point) => point.model === model)
        expect(mine.reduce((sum, point) => sum + point.conversions, 0)).toBe(report.totals.conversions)
        expect(mine.reduce((sum, point) => sum + point.revenue_cents, 0)).toBe(Math.round(Number(report.totals.revenue_usd) * 100))
      }
      await page.screenshot({ path: join(SCREENSHOTS, `${warehouse}-trends.png`), fullPage: true })
    })

    test('channels break down per channel and drill into source / medium as the report does', async ({ page }) => {
      await open(page, warehouse, 'channels')
      await page.getByTestId('channels-model').selectOption('first_click')
      const expected = byKey(cliReport(warehouse, { model: 'first_click', lookbackDays: 14 }).rows, (row) => row.channel ?? '')
      await expect.poll(() => readChannels(page, ['channel'])).toEqual(expected)
      await page.screenshot({ path: join(SCREENSHOTS, `${warehouse}-channels.png`), fullPage: true })

      const channel = Object.keys(expected)[0] ?? ''
      await page.getByTestId('channels-row').filter({ hasText: channel }).first().click()
      await expect(page.getByTestId('breadcrumb-current')).toContainText(channel)
      await page.getByTestId('channels-by-source_medium').click()
      const drill = byKey(
        cliReport(warehouse, { model: 'first_click', lookbackDays: 14, by: 'source_medium', channel }).rows,
        (row) => `${row.source} / ${row.medium}`,
      )
      await expect.poll(() => readChannels(page, ['source', 'medium'])).toEqual(drill)
      await page.screenshot({ path: join(SCREENSHOTS, `${warehouse}-channels-drilldown.png`), fullPage: true })
    })

    test('the live feed lists the newest stored events, newest first', async ({ page }) => {
      await open(page, warehouse, 'feed')
      const rows = page.getByTestId('feed-row')
      await expect(rows).toHaveCount(50)
      const times = await Promise.all((await rows.all()).map((row) => row.getByTestId('time').getAttribute('title')))
      expect([...times].sort().reverse()).toEqual(times)
      const status = JSON.parse(cli(['status', '--warehouse', WAREHOUSES[warehouse].path])) as { newestEventAt: string }
      expect(times[0]?.slice(0, 19)).toBe(status.newestEventAt.slice(0, 19))
      await page.screenshot({ path: join(SCREENSHOTS, `${warehouse}-feed.png`), fullPage: true })
    })
  })
}
