import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { type AttributionModel, GROUPING_LABELS, RULE_BASED_MODELS, type ReportGrouping, groupLabel } from '@shared/attribution'
import { ROOT, WAREHOUSES, cli, cliReport } from './warehouses'

// Issue 25, items 14-17: the model comparison and the paths by GA4's dimensions, any baseline, every
// path a page at a time (sorted and filtered), and every view's totals against an earlier period,
// each number checked against `attribution report` on the same warehouse, at two window sizes.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })
const WAREHOUSE = 'generated'
const LOOKBACK_DAYS = 14
const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
] as const

type Figures = { conversions: number; revenue_usd: string }

/** "$1,234.50" -> "1234.50". */
const money = (text: string): string => text.replace(/[$,+\s]/g, '')
const count = (text: string): number => Number(text.replace(/,/g, ''))

/** Why shown conversions are not `value` at the precision shown (whole, one decimal, "<0.1"), or undefined when they are. */
function creditMismatch(text: string, value: number): string | undefined {
  const shown = count(text)
  if (text === '<0.1') return value > 0 && value < 0.05 ? undefined : `"<0.1" for ${value}`
  if (!text.includes('.'))
    return shown === Math.round(value) && Math.abs(value - Math.round(value)) < 0.005 ? undefined : `"${text}" for ${value}`
  return Math.abs(shown - value) <= 0.05 + 1e-9 ? undefined : `"${text}" for ${value}`
}

/** Why a shown change ("+12.5%", "—") is not (value - base) / base to the tenth shown, or undefined. */
function changeMismatch(text: string | null, value: number, base: number): string | undefined {
  if (text === null) return 'no change shown'
  if (base === 0) return text === '—' ? undefined : `"${text}" without a baseline`
  const expected = ((value - base) / base) * 100
  return text.endsWith('%') && Math.abs(Number(text.replace(/[%+,]/g, '')) - expected) <= 0.05 + 1e-9
    ? undefined
    : `"${text}" for ${expected.toFixed(4)}%`
}

/** `attribution report --by <dimension>` of one model as { label: figures }, labels as the app writes them ("google / cpc"). */
function cliBy(model: AttributionModel, by: ReportGrouping, range: { from?: string; to?: string } = {}): Record<string, Figures> {
  const report = cliReport(WAREHOUSE, { model, lookbackDays: LOOKBACK_DAYS, by, ...range })
  return Object.fromEntries(report.rows.map((row) => [groupLabel(row, by), { conversions: row.conversions, revenue_usd: row.revenue_usd }]))
}

async function open(page: Page, view: 'compare' | 'models' | 'paths' | 'trends' | 'channels'): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[WAREHOUSE].port}/`)
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

/** A picture of the whole view: the window is made as tall as the scrolled content for the shot, then restored. */
async function screenshotView(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize()
  const hidden = await page.locator('.shell__content').evaluate((element) => element.scrollHeight - element.clientHeight)
  if (viewport && hidden > 0) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height + hidden })
    await page.waitForTimeout(300)
  }
  await page.screenshot({ path: join(SCREENSHOTS, name) })
  if (viewport && hidden > 0) await page.setViewportSize(viewport)
}

type ModelsRow = { label: string; cells: Array<{ model: string; value: string; change: string | null }> }

async function readModelComparison(page: Page): Promise<ModelsRow[]> {
  return page.getByTestId('models-row').evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.querySelector('[data-testid="channel"]')?.textContent?.trim() ?? '',
      cells: [...row.querySelectorAll('[data-testid="models-cell"]')].map((cell) => ({
        model: cell.getAttribute('data-model') ?? '',
        value: cell.querySelector('[data-testid="value"]')?.textContent?.trim() ?? '',
        change: cell.querySelector('[data-testid="change"]')?.textContent?.trim() ?? null,
      })),
    })),
  )
}

/** Every shown cell (conversions) that disagrees with the reports, and every change vs `baseline` that does, as lines. */
function modelComparisonProblems(
  shown: ModelsRow[],
  reports: Record<string, Record<string, Figures>>,
  baseline: AttributionModel,
): string[] {
  const zero = { conversions: 0, revenue_usd: '0.00' }
  const problems: string[] = []
  const labels = new Set(Object.values(reports).flatMap((report) => Object.keys(report)))
  if (shown.length !== labels.size) problems.push(`${shown.length} rows shown for ${labels.size} in the reports`)
  for (const row of shown) {
    const base = reports[baseline]?.[row.label] ?? zero
    for (const cell of row.cells) {
      const figures = reports[cell.model]?.[row.label] ?? zero
      const value = creditMismatch(cell.value, figures.conversions)
      if (value) problems.push(`${row.label} ${cell.model}: ${value}`)
      if (cell.model === baseline) {
        if (cell.change !== null) problems.push(`${row.label}: the baseline ${baseline} shows a change`)
        continue
      }
      const change = changeMismatch(cell.change, figures.conversions, base.conversions)
      if (change) problems.push(`${row.label} ${cell.model} change: ${change}`)
    }
  }
  return problems
}

type PathRow = { steps: string[]; conversions: number; revenue: string }

async function readPaths(page: Page): Promise<PathRow[]> {
  const rows = await page.getByTestId('paths-row').evaluateAll((elements) =>
    elements.map((row) => ({
      title: row.querySelector('[data-testid="path"]')?.getAttribute('title') ?? '',
      conversions: row.querySelector('[data-testid="conversions"]')?.textContent?.trim() ?? '',
      revenue: row.querySelector('[data-testid="revenue"]')?.textContent?.trim() ?? '',
    })),
  )
  return rows.map((row) => ({
    steps: row.title ? row.title.split(' > ') : [],
    conversions: count(row.conversions),
    revenue: money(row.revenue),
  }))
}

/** The conversions and revenue the summary gives the paths not on the page (none when all are listed). */
function otherPaths(summary: string): Figures {
  if (/^All [\d,]+ distinct paths are listed\.$|^The only path is listed\.$/.test(summary)) return { conversions: 0, revenue_usd: '0.00' }
  const match = /hold(?:s)? ([\d,.]+) conversions.* and (\$[\d,]+\.\d{2})\.$/.exec(summary)
  if (!match) throw new Error(`The paths summary names no other paths: "${summary}"`)
  return { conversions: count(match[1] ?? ''), revenue_usd: money(match[2] ?? '') }
}

/** The page's paths plus the other paths, in whole conversions and cents: all conversions once, whatever the page. */
async function pageAndOthers(page: Page): Promise<Figures> {
  const listed = await readPaths(page)
  const other = otherPaths((await page.getByTestId('paths-summary').innerText()).trim())
  const cents = listed.reduce((total, path) => total + Math.round(Number(path.revenue) * 100), Math.round(Number(other.revenue_usd) * 100))
  return { conversions: listed.reduce((total, path) => total + path.conversions, other.conversions), revenue_usd: (cents / 100).toFixed(2) }
}

async function setDates(page: Page, from: string, to: string): Promise<void> {
  await page.getByTestId('date-from').fill(from)
  await page.getByTestId('date-to').fill(to)
  await page.getByTestId('date-to').blur()
}

/** The period line of the open view: this period's and the earlier one's totals and the changes, as shown. */
async function readPeriod(page: Page): Promise<{ current: Figures; previous: Figures; changes: [string, string] }> {
  const text = async (testid: string) => (await page.getByTestId(testid).innerText()).trim()
  return {
    current: { conversions: count(await text('period-conversions')), revenue_usd: money(await text('period-revenue')) },
    previous: { conversions: count(await text('period-previous-conversions')), revenue_usd: money(await text('period-previous-revenue')) },
    changes: [await text('period-conversions-change'), await text('period-revenue-change')],
  }
}

/** `attribution report --compare-previous` totals of both periods and the changes as the app words them. */
function cliPeriods(
  from: string,
  to: string,
  compare?: { from: string; to: string },
): { current: Figures; previous: Figures; changes: [string, string] } {
  const args = [
    'report',
    '--warehouse',
    WAREHOUSES[WAREHOUSE].path,
    '--model',
    'last_click',
    '--lookback-days',
    String(LOOKBACK_DAYS),
    '--from',
    from,
    '--to',
    to,
  ]
  args.push('--compare-previous', '--format', 'json')
  if (compare) args.push('--compare-from', compare.from, '--compare-to', compare.to)
  const { current, previous } = JSON.parse(cli(args)) as { current: { totals: Figures }; previous: { totals: Figures } }
  const change = (now: number, before: number): string => {
    if (before === 0) return '—'
    const tenths = Math.round(((now - before) / before) * 1000)
    return tenths === 0 ? '0.0%' : `${tenths > 0 ? '+' : '-'}${(Math.abs(tenths) / 10).toFixed(1)}%`
  }
  return {
    current: current.totals,
    previous: previous.totals,
    changes: [
      change(current.totals.conversions, previous.totals.conversions),
      change(Number(current.totals.revenue_usd), Number(previous.totals.revenue_usd)),
    ],
  }
}

for (const viewport of VIEWPORTS) {
  const size = `${viewport.width}x${viewport.height}`
  test.describe(`the analyst's views in depth at ${size}`, () => {
    test.use({ viewport })

    test('14, 15: model comparison by every dimension and against any baseline, as the reports give it', async ({ page }) => {
      await open(page, 'models')
      for (const by of ['source_medium', 'campaign', 'source', 'medium'] as const) {
        await page.getByTestId('models-dimension').selectOption(by)
        await expect(page.getByTestId('models-dimension-head')).toHaveText(GROUPING_LABELS[by])
        await expect(page.getByTestId('models-no-data-driven')).toBeVisible()
        await expect(page.getByTestId('models-column-data_driven')).toHaveCount(0)
        const reports = Object.fromEntries(RULE_BASED_MODELS.map((model) => [model, cliBy(model, by)]))
        await expect.poll(async () => modelComparisonProblems(await readModelComparison(page), reports, 'last_click')).toEqual([])
        if (by === 'source_medium') await screenshotView(page, `${size}-model-comparison-source-medium.png`)
      }
      await page.getByTestId('models-baseline').selectOption('first_click')
      await expect(page.getByTestId('models-baseline-note')).toContainText('vs First click')
      const byMedium = Object.fromEntries(RULE_BASED_MODELS.map((model) => [model, cliBy(model, 'medium')]))
      await expect.poll(async () => modelComparisonProblems(await readModelComparison(page), byMedium, 'first_click')).toEqual([])
      await screenshotView(page, `${size}-model-comparison-baseline-first-click.png`)

      // Back by channel, data-driven is there again and can be the baseline.
      await page.getByTestId('models-dimension').selectOption('channel')
      await expect(page.getByTestId('models-column-data_driven')).toBeVisible()
      await expect(page.getByTestId('models-no-data-driven')).toHaveCount(0)
      await page.getByTestId('models-baseline').selectOption('data_driven')
      const byChannel = Object.fromEntries([...RULE_BASED_MODELS, 'data_driven' as const].map((model) => [model, cliBy(model, 'channel')]))
      await expect.poll(async () => modelComparisonProblems(await readModelComparison(page), byChannel, 'data_driven')).toEqual([])
    })

    test('14, 16: every path, a page at a time, by any dimension, sorted by each column and filtered', async ({ page }) => {
      await open(page, 'paths')
      const totals = cliReport(WAREHOUSE, { model: 'first_click', lookbackDays: LOOKBACK_DAYS }).totals
      await expect.poll(() => pageAndOthers(page)).toEqual(totals)
      const summary = (await page.getByTestId('paths-summary').innerText()).trim()
      const distinct = count(/^([\d,]+) distinct paths/.exec(summary)?.[1] ?? '0')
      expect(distinct).toBeGreaterThan(40)
      await expect(page.getByTestId('paths-page')).toHaveText(
        `Paths 1–20 of ${distinct.toLocaleString('en-US')} · page 1 of ${Math.ceil(distinct / 20)}`,
      )
      const first = await readPaths(page)
      await page.getByTestId('paths-next').click()
      await expect(page.getByTestId('paths-page')).toContainText('Paths 21–40 of')
      const second = await readPaths(page)
      expect(second.map((path) => path.steps.join('>'))).not.toContain(first[0]?.steps.join('>'))
      // Most conversions first, across pages.
      expect(Math.min(...first.map((path) => path.conversions))).toBeGreaterThanOrEqual(Math.max(...second.map((path) => path.conversions)))
      expect(await pageAndOthers(page)).toEqual(totals)

      await page.getByTestId('paths-sort-revenue').click()
      await expect(page.getByTestId('paths-page')).toContainText('Paths 1–20 of')
      await expect
        .poll(async () => (await readPaths(page)).map((path) => Number(path.revenue)))
        .toEqual([...(await readPaths(page)).map((path) => Number(path.revenue))].sort((a, b) => b - a))
      await page.getByTestId('paths-sort-revenue').click()
      await expect(page.getByTestId('paths-sort-revenue').locator('..')).toHaveAttribute('aria-sort', 'ascending')
      await expect
        .poll(async () => {
          const revenue = (await readPaths(page)).map((path) => Number(path.revenue))
          return revenue.every((value, index) => index === 0 || value >= (revenue[index - 1] ?? 0))
        })
        .toBe(true)
      await page.getByTestId('paths-sort-touches').click()
      await expect
        .poll(async () => {
          const lengths = (await readPaths(page)).map((path) => path.steps.length)
          return lengths.every((value, index) => index === 0 || value <= (lengths[index - 1] ?? 0))
        })
        .toBe(true)
      await page.getByTestId('paths-sort-conversions').click()

      // Paths that start with Email and are 2 to 3 touches long.
      await page.getByTestId('paths-filter-match').selectOption('startsWith')
      await page.getByTestId('paths-filter-value').fill('Email')
      await page.getByTestId('paths-filter-value').press('Enter')
      await page.getByTestId('paths-filter-min').fill('2')
      await page.getByTestId('paths-filter-min').press('Tab')
      await page.getByTestId('paths-filter-max').fill('3')
      await page.getByTestId('paths-filter-max').press('Tab')
      await expect(page.getByTestId('paths-matching')).toContainText(`of ${distinct.toLocaleString('en-US')} paths match`)
      const startsWithEmail = (paths: PathRow[]) =>
        paths.length > 0 && paths.every((path) => path.steps[0] === 'Email' && path.steps.length >= 2 && path.steps.length <= 3)
      await expect.poll(async () => startsWithEmail(await readPaths(page))).toBe(true)
      await expect(page.getByTestId('loading')).toHaveCount(0)
      expect(startsWithEmail(await readPaths(page))).toBe(true)
      await expect(page.getByTestId('paths-page')).toContainText('matching')
      expect(await pageAndOthers(page)).toEqual(totals)
      await screenshotView(page, `${size}-paths-filtered.png`)

      // Contains Referral anywhere, by source / medium steps: every listed path holds the value.
      await page.getByTestId('paths-filter-min').fill('')
      await page.getByTestId('paths-filter-min').press('Tab')
      await page.getByTestId('paths-filter-max').fill('')
      await page.getByTestId('paths-filter-max').press('Tab')
      await page.getByTestId('paths-dimension').selectOption('source_medium')
      await page.getByTestId('paths-filter-match').selectOption('contains')
      await page.getByTestId('paths-filter-value').fill('google / cpc')
      await page.getByTestId('paths-filter-value').press('Enter')
      // Non-empty too: an empty list (still loading) holds the value vacuously.
      const allHoldGoogleCpc = (paths: PathRow[]) => paths.length > 0 && paths.every((path) => path.steps.includes('google / cpc'))
      await expect.poll(async () => allHoldGoogleCpc(await readPaths(page))).toBe(true)
      await expect(page.getByTestId('loading')).toHaveCount(0)
      expect(allHoldGoogleCpc(await readPaths(page))).toBe(true)
      await page.getByTestId('paths-filter-value').fill('')
      await page.getByTestId('paths-filter-value').press('Enter')
      await expect(page.getByTestId('paths-matching')).toHaveCount(0)
      await expect.poll(() => pageAndOthers(page)).toEqual(totals)
      await expect.poll(async () => (await readPaths(page)).some((path) => path.steps.some((step) => step.includes(' / ')))).toBe(true)
      await screenshotView(page, `${size}-paths-source-medium.png`)
    })

    test('17: every view totals its period against the previous one (or a chosen one) as `report --compare-previous` does', async ({
      page,
    }) => {
      await open(page, 'models')
      // Without a start date the view begins at the first conversion: no vacuous "vs <years before>: 0 conversions".
      await expect(page.getByTestId('period-choose-dates')).toBeVisible()
      await expect(page.getByTestId('period-previous-range')).toHaveCount(0)
      await setDates(page, '2026-10-17', '2026-10-31')
      await expect(page.getByTestId('period-choose-dates')).toHaveCount(0)
      const expected = cliPeriods('2026-10-17', '2026-10-31')
      expect(expected.previous.conversions).toBeGreaterThan(0)
      await expect(page.getByTestId('period-previous-range')).toHaveText('2 Oct – 16 Oct 2026')
      await expect.poll(() => readPeriod(page)).toEqual(expected)
      await screenshotView(page, `${size}-period-model-comparison.png`)
      for (const view of ['compare', 'paths', 'trends', 'channels'] as const) {
        await page.getByTestId(`nav-${view}`).click()
        await expect(page.getByTestId(`view-${view}`)).toBeVisible()
        await expect.poll(() => readPeriod(page)).toEqual(expected)
      }
      await page.getByTestId('period-mode').selectOption('custom')
      await page.getByTestId('period-from').fill('2026-09-01')
      await page.getByTestId('period-to').fill('2026-09-30')
      const chosen = cliPeriods('2026-10-17', '2026-10-31', { from: '2026-09-01', to: '2026-09-30' })
      await expect(page.getByTestId('period-previous-range')).toHaveText('1 Sep – 30 Sep 2026')
      await expect.poll(() => readPeriod(page)).toEqual(chosen)
      await screenshotView(page, `${size}-period-channels-custom.png`)
      // The controls stay inside the window: nothing scrolls sideways.
      expect(await page.locator('html').evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)
    })
  })
}
