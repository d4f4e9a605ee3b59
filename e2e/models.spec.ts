import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { ATTRIBUTION_MODELS, type AttributionModel, MODEL_REGISTRY } from '@shared/attribution'
import { ROOT, WAREHOUSES, type WarehouseName, cliReport, hasFixture } from './warehouses'

// The attribution models as data: Compare models with any pair, Model comparison, Conversion paths and
// Trends, each checked against `attribution report` for the same model on the same warehouse.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })
const LOOKBACK_DAYS = 14

type Figures = { conversions: number; revenue_usd: string }
const ZERO: Figures = { conversions: 0, revenue_usd: '0.00' }

/** "$1,234.50" -> "1234.50". */
function money(text: string): string {
  return text.replace(/[$,+\s]/g, '')
}
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)
function cents(amount: string): number {
  return Math.round(Number(amount) * 100)
}

/**
 * Why a shown number of conversions is not `value` at the precision the table shows, or undefined when it is:
 * whole credit reads as a whole number, shared credit to one decimal, a sliver as "<0.1".
 */
function creditMismatch(text: string, value: number): string | undefined {
  const shown = Number(text.replace(/,/g, ''))
  const whole = Math.round(value)
  if (text === '<0.1') return value > 0 && value < 0.05 ? undefined : `"<0.1" for ${value}`
  if (!text.includes('.')) return shown === whole && Math.abs(value - whole) < 0.005 ? undefined : `"${text}" for ${value}`
  return Math.abs(shown - value) <= 0.05 + 1e-9 ? undefined : `"${text}" for ${value}`
}

/** `attribution report --by channel` of one model as { channel: figures }. */
function cliByChannel(
  warehouse: WarehouseName,
  model: AttributionModel,
  range: { from?: string; to?: string } = {},
): Record<string, Figures> {
  const report = cliReport(warehouse, { model, lookbackDays: LOOKBACK_DAYS, ...range })
  return Object.fromEntries(report.rows.map((row) => [row.channel ?? '', { conversions: row.conversions, revenue_usd: row.revenue_usd }]))
}

async function open(page: Page, warehouse: WarehouseName, view: 'compare' | 'models' | 'paths' | 'trends'): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[warehouse].port}/`)
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

/**
 * Saves a picture of the whole view. The content area scrolls inside the window, so a full-page shot
 * would stop at the fold: the window is made as tall as the view for the shot, then restored.
 */
async function screenshotView(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize()
  const hidden = await page.locator('.shell__content').evaluate((element) => element.scrollHeight - element.clientHeight)
  if (viewport && hidden > 0) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height + hidden })
    // Charts follow a resize after vue-echarts' throttle (100 ms) and a frame.
    await page.waitForTimeout(300)
  }
  await page.screenshot({ path: join(SCREENSHOTS, name) })
  if (viewport && hidden > 0) await page.setViewportSize(viewport)
}

/** The Compare models table as { channel: { a, b } }, conversions read exactly from the cells' titles. */
async function readComparison(page: Page): Promise<Record<string, { a: Figures; b: Figures }>> {
  const rows = await page.getByTestId('compare-row').evaluateAll((elements) =>
    elements.map((row) => {
      const cell = (testid: string) => row.querySelector(`[data-testid="${testid}"]`)
      return {
        channel: cell('channel')?.textContent?.trim() ?? '',
        a: { exact: cell('a-conversions')?.getAttribute('title') ?? '', revenue: cell('a-revenue')?.textContent ?? '' },
        b: { exact: cell('b-conversions')?.getAttribute('title') ?? '', revenue: cell('b-revenue')?.textContent ?? '' },
      }
    }),
  )
  const figures = (side: { exact: string; revenue: string }): Figures => ({
    conversions: Number(side.exact),
    revenue_usd: money(side.revenue),
  })
  return Object.fromEntries(rows.map((row) => [row.channel, { a: figures(row.a), b: figures(row.b) }]))
}

/** The shown conversions of the table that disagree with their exact titles (the rounding of the cells themselves). */
async function comparisonRoundingProblems(page: Page): Promise<string[]> {
  const cells = await page
    .getByTestId('compare-row')
    .locator('[data-testid="a-conversions"], [data-testid="b-conversions"]')
    .evaluateAll((elements) => elements.map((cell) => ({ text: cell.textContent?.trim() ?? '', title: cell.getAttribute('title') ?? '' })))
  return cells.flatMap((cell) => creditMismatch(cell.text, Number(cell.title)) ?? [])
}

/** What `attribution report` says for the pair, shaped like the table (a channel one model does not credit is 0). */
function expectedComparison(
  warehouse: WarehouseName,
  a: AttributionModel,
  b: AttributionModel,
): Record<string, { a: Figures; b: Figures }> {
  const [first, second] = [cliByChannel(warehouse, a), cliByChannel(warehouse, b)]
  const channels = new Set([...Object.keys(first), ...Object.keys(second)])
  return Object.fromEntries([...channels].map((channel) => [channel, { a: first[channel] ?? ZERO, b: second[channel] ?? ZERO }]))
}

async function comparePair(page: Page, warehouse: WarehouseName, a: AttributionModel, b: AttributionModel): Promise<void> {
  await page.getByTestId('compare-model-a').selectOption(a)
  await page.getByTestId('compare-model-b').selectOption(b)
  await expect(page.getByTestId('compare-model-a-name')).toHaveText(MODEL_REGISTRY[a].name)
  await expect(page.getByTestId('compare-model-b-name')).toHaveText(MODEL_REGISTRY[b].name)
  await expect.poll(() => readComparison(page)).toEqual(expectedComparison(warehouse, a, b))
  expect(await comparisonRoundingProblems(page)).toEqual([])
}

/** One cell of the model comparison table: its model, shown value and shown change vs last click. */
type ModelsCell = { model: string; value: string; change: string | null }

async function readModelComparison(page: Page): Promise<Array<{ channel: string; cells: ModelsCell[] }>> {
  return page.getByTestId('models-row').evaluateAll((rows) =>
    rows.map((row) => ({
      channel: row.querySelector('[data-testid="channel"]')?.textContent?.trim() ?? '',
      cells: [...row.querySelectorAll('[data-testid="models-cell"]')].map((cell) => ({
        model: cell.getAttribute('data-model') ?? '',
        value: cell.querySelector('[data-testid="value"]')?.textContent?.trim() ?? '',
        change: cell.querySelector('[data-testid="change"]')?.textContent?.trim() ?? null,
      })),
    })),
  )
}

/** Why a shown change vs last click ("+12.5%", "—") is not (value - last) / last, or undefined when it is, to the tenth shown. */
function changeMismatch(text: string | null, value: number, last: number): string | undefined {
  if (text === null) return 'no change shown'
  if (last === 0) return text === '—' ? undefined : `"${text}" without a last-click baseline`
  const expected = ((value - last) / last) * 100
  const shown = Number(text.replace(/[%+,]/g, ''))
  return text.endsWith('%') && Math.abs(shown - expected) <= 0.05 + 1e-9 ? undefined : `"${text}" for ${expected.toFixed(4)}%`
}

/** Every cell of the model comparison table that disagrees with `attribution report`, as readable lines (none when all agree). */
function modelComparisonProblems(
  shown: Array<{ channel: string; cells: ModelsCell[] }>,
  reports: Record<AttributionModel, Record<string, Figures>>,
  metric: 'conversions' | 'revenue',
): string[] {
  const channels = new Set(ATTRIBUTION_MODELS.flatMap((model) => Object.keys(reports[model])))
  const problems: string[] = []
  if (shown.length !== channels.size) problems.push(`${shown.length} rows for ${channels.size} channels`)
  for (const row of shown) {
    if (!channels.has(row.channel)) problems.push(`${row.channel}: not a channel of the report`)
    const last = reports.last_click[row.channel] ?? ZERO
    if (row.cells.map((cell) => cell.model).join() !== ATTRIBUTION_MODELS.join())
      problems.push(`${row.channel}: columns ${row.cells.map((cell) => cell.model).join()}`)
    for (const cell of row.cells) {
      const model = cell.model as AttributionModel
      const figures = reports[model]?.[row.channel] ?? ZERO
      const where = `${row.channel} / ${model}`
      const value =
        metric === 'conversions'
          ? creditMismatch(cell.value, figures.conversions)
          : money(cell.value) === figures.revenue_usd
            ? undefined
            : `"${cell.value}" for ${figures.revenue_usd}`
      if (value) problems.push(`${where}: ${value}`)
      if (model === 'last_click') continue
      const [mine, baseline] =
        metric === 'conversions' ? [figures.conversions, last.conversions] : [Number(figures.revenue_usd), Number(last.revenue_usd)]
      const change = changeMismatch(cell.change, mine, baseline)
      if (change) problems.push(`${where} change: ${change}`)
    }
  }
  return problems
}

/** One listed path: its sessions (from the chips' title), conversions, revenue and the credit bar's words. */
type PathRow = { sessions: string[]; conversions: string; revenue: string; credit: string | null }

async function readPaths(page: Page): Promise<PathRow[]> {
  return page.getByTestId('paths-row').evaluateAll((rows) =>
    rows.map((row) => {
      const path = row.querySelector('[data-testid="path"]')
      const title = path?.getAttribute('title')
      return {
        sessions: title ? title.split(' > ') : [],
        conversions: row.querySelector('[data-testid="conversions"]')?.textContent?.trim() ?? '',
        revenue: row.querySelector('[data-testid="revenue"]')?.textContent?.trim() ?? '',
        credit: row.querySelector('[data-testid="credit-bar"]')?.getAttribute('title') ?? null,
      }
    }),
  )
}

/** The conversions and revenue the summary line gives the paths not listed (none when every path is listed). */
function otherPaths(summary: string): Figures {
  if (/^All [\d,]+ distinct paths are listed\.$|^The only path is listed\.$/.test(summary)) return ZERO
  const match = /hold(?:s)? ([\d,.]+) conversions.* and (\$[\d,]+\.\d{2})\.$/.exec(summary)
  if (!match) throw new Error(`The paths summary names no other paths: "${summary}"`)
  return { conversions: Number((match[1] ?? '').replace(/,/g, '')), revenue_usd: money(match[2] ?? '') }
}

/** The listed paths plus the summary's other paths, and the footer's totals, in whole conversions and cents. */
async function readPathSums(page: Page): Promise<{ listedAndOther: Figures; footer: Figures; isWhole: boolean }> {
  const listed = await readPaths(page)
  const other = otherPaths((await page.getByTestId('paths-summary').innerText()).trim())
  const conversions = sum(listed.map((path) => Number(path.conversions.replace(/,/g, '')))) + other.conversions
  const revenueCents = sum(listed.map((path) => cents(money(path.revenue)))) + cents(other.revenue_usd)
  return {
    listedAndOther: { conversions, revenue_usd: (revenueCents / 100).toFixed(2) },
    footer: {
      conversions: Number((await page.getByTestId('paths-total-conversions').innerText()).replace(/,/g, '')),
      revenue_usd: money(await page.getByTestId('paths-total-revenue').innerText()),
    },
    // A path counts whole conversions, whatever the model.
    isWhole: listed.every((path) => /^[\d,]+$/.test(path.conversions)),
  }
}

/** What the paths view must add up to: every conversion once, as `attribution report --model first_click` totals them. */
function expectedPathSums(warehouse: WarehouseName, lookbackDays: number): { listedAndOther: Figures; footer: Figures; isWhole: boolean } {
  const totals = cliReport(warehouse, { model: 'first_click', lookbackDays }).totals
  return { listedAndOther: totals, footer: totals, isWhole: true }
}

async function setLookback(page: Page, days: number): Promise<void> {
  const input = page.getByTestId('lookback-input')
  await input.fill(String(days))
  await input.blur()
}

/** The credit bar's words for position based: one session is all late, two are 50/50, more are 40/20/40. */
function positionBasedCredit(sessions: number): string {
  if (sessions === 1) return 'early 0.0% · middle 0.0% · late 100.0%'
  if (sessions === 2) return 'early 50.0% · middle 0.0% · late 50.0%'
  return 'early 40.0% · middle 20.0% · late 40.0%'
}

type TrendRow = { date: string; model: string; channel: string; conversions: number; revenue_cents: number }

async function readTrends(page: Page): Promise<TrendRow[]> {
  const rows = await page.getByTestId('trends-point-row').evaluateAll((elements) =>
    elements.map((row) => {
      const cell = (testid: string) => row.querySelector(`[data-testid="${testid}"]`)
      return {
        date: cell('date')?.textContent?.trim() ?? '',
        model: row.getAttribute('data-model') ?? '',
        channel: cell('channel')?.textContent?.trim() ?? '',
        exact: cell('conversions')?.getAttribute('title') ?? '',
        revenue: cell('revenue')?.textContent ?? '',
      }
    }),
  )
  return rows.map((row) => ({ ...row, conversions: Number(row.exact), revenue_cents: cents(money(row.revenue)) }))
}

for (const warehouse of ['fixture', 'generated'] as const) {
  test.describe(`attribution models on the ${warehouse} warehouse`, () => {
    test.skip(warehouse === 'fixture' && !hasFixture, 'the real GA4 fixture in ../shared/fixtures/ga4 is absent')

    test('compare models shows any pair as `attribution report` does, with a flow only between per-conversion models', async ({ page }) => {
      await open(page, warehouse, 'compare')
      await comparePair(page, warehouse, 'linear', 'time_decay')
      await expect(page.getByTestId('flow-chart').locator('canvas').first()).toBeVisible()
      await expect(page.getByTestId('flow-unavailable')).toHaveCount(0)
      await expect(page.getByTestId('moved-share')).toHaveText(/^\d+\.\d%$/)
      const total = cliReport(warehouse, { model: 'linear', lookbackDays: LOOKBACK_DAYS }).totals
      expect(money(await page.getByTestId('compare-total-revenue').innerText())).toBe(total.revenue_usd)
      await screenshotView(page, `${warehouse}-compare-models.png`)

      await comparePair(page, warehouse, 'last_click', 'data_driven')
      await expect(page.getByTestId('flow-chart')).toHaveCount(0)
      await expect(page.getByTestId('flow-unavailable')).toContainText(`${MODEL_REGISTRY.data_driven.name} credits channels in total`)
      await expect(page.getByTestId('moved-share')).toHaveText('—')
      await screenshotView(page, `${warehouse}-compare-models-data-driven.png`)
    })

    test('model comparison shows every model per channel and its change vs last click as the reports do', async ({ page }) => {
      const reports = Object.fromEntries(ATTRIBUTION_MODELS.map((model) => [model, cliByChannel(warehouse, model)])) as Record<
        AttributionModel,
        Record<string, Figures>
      >
      await open(page, warehouse, 'models')
      for (const model of ATTRIBUTION_MODELS)
        await expect(page.getByTestId(`models-column-${model}`)).toHaveText(MODEL_REGISTRY[model].name)
      await expect.poll(async () => modelComparisonProblems(await readModelComparison(page), reports, 'conversions')).toEqual([])
      for (const model of ATTRIBUTION_MODELS) {
        const total = cliReport(warehouse, { model, lookbackDays: LOOKBACK_DAYS }).totals
        expect(creditMismatch((await page.getByTestId(`models-total-${model}`).innerText()).trim(), total.conversions)).toBeUndefined()
      }
      await screenshotView(page, `${warehouse}-model-comparison.png`)

      await page.getByTestId('models-metric-revenue').click()
      await expect.poll(async () => modelComparisonProblems(await readModelComparison(page), reports, 'revenue')).toEqual([])
      await screenshotView(page, `${warehouse}-model-comparison-revenue.png`)
    })

    test('conversion paths add up to the report, split position-based credit 40/20/40, and have no split for data-driven', async ({
      page,
    }) => {
      await open(page, warehouse, 'paths')
      await expect.poll(() => readPathSums(page)).toEqual(expectedPathSums(warehouse, LOOKBACK_DAYS))
      // Journeys of three sessions or more are rarer; a long lookback lists some among the top paths on both warehouses.
      await setLookback(page, 90)
      await expect.poll(() => readPathSums(page)).toEqual(expectedPathSums(warehouse, 90))

      await page.getByTestId('paths-model').selectOption('position_based')
      await expect(page.getByTestId('paths-credit-legend')).toContainText(MODEL_REGISTRY.position_based.name)
      const credited = (await readPaths(page)).filter((path) => path.sessions.length > 0)
      expect(credited.some((path) => path.sessions.length >= 3)).toBe(true)
      expect(credited.map((path) => path.credit)).toEqual(credited.map((path) => positionBasedCredit(path.sessions.length)))
      await screenshotView(page, `${warehouse}-paths.png`)

      await page.getByTestId('paths-model').selectOption('data_driven')
      await expect(page.getByTestId('paths-no-split')).toContainText(`${MODEL_REGISTRY.data_driven.name} credits channels in total`)
      await expect(page.getByTestId('paths-credit-legend')).toHaveCount(0)
      await expect(page.getByTestId('credit-bar')).toHaveCount(0)
      expect(await readPathSums(page)).toEqual(expectedPathSums(warehouse, 90))
      await screenshotView(page, `${warehouse}-paths-data-driven.png`)
    })

    test('trends of a chosen pair sum per model to the report for the days shown', async ({ page }) => {
      const pair = ['linear', 'data_driven'] as const
      await open(page, warehouse, 'trends')
      await page.getByTestId('trends-models-a').selectOption(pair[0])
      await page.getByTestId('trends-models-b').selectOption(pair[1])
      await expect.poll(async () => [...new Set((await readTrends(page)).map((point) => point.model))].sort()).toEqual([...pair].sort())
      const points = await readTrends(page)
      const dates = [...new Set(points.map((point) => point.date))].sort()
      expect(dates).toHaveLength(14)
      const range = { from: dates[0], to: dates.at(-1) }
      for (const model of pair) {
        const report = cliReport(warehouse, { model, lookbackDays: LOOKBACK_DAYS, ...range }).totals
        const mine = points.filter((point) => point.model === model)
        expect(Math.abs(sum(mine.map((point) => point.conversions)) - report.conversions)).toBeLessThanOrEqual(0.01)
        expect(Math.abs(sum(mine.map((point) => point.revenue_cents)) - cents(report.revenue_usd))).toBeLessThanOrEqual(1)
      }
      // A rule-based model credits each conversion on its own day, so its days add up per channel too.
      const linear = cliByChannel(warehouse, 'linear', range)
      for (const [channel, figures] of Object.entries(linear)) {
        const mine = points.filter((point) => point.model === 'linear' && point.channel === channel)
        expect(Math.abs(sum(mine.map((point) => point.conversions)) - figures.conversions), channel).toBeLessThanOrEqual(0.01)
      }
      // Both models credit every conversion once, so each day's total is the same under both.
      for (const date of dates) {
        const day = (model: string) =>
          sum(points.filter((point) => point.date === date && point.model === model).map((point) => point.conversions))
        expect(Math.abs(day(pair[0]) - day(pair[1])), date).toBeLessThanOrEqual(0.01)
      }
      await screenshotView(page, `${warehouse}-trends-models.png`)
    })
  })
}
