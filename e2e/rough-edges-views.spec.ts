import { join } from 'node:path'
import { type Locator, type Page, expect, test } from '@playwright/test'
import { ROOT, WAREHOUSES, cliReport } from './warehouses'

// Rough edges of the lookback, date range and Trends view (issue 11 item 4), on the generated warehouse
// (60 days of sample journeys ending 2026-10-31).
const WAREHOUSE = 'generated' as const
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')

type Point = { date: string; model: string; channel: string; conversions: number; revenue_cents: number }

async function openTrends(page: Page): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[WAREHOUSE].port}/`)
  await page.getByTestId('nav-trends').click()
  await expect(page.getByTestId('trends-point-row').first()).toBeVisible()
}

function title(page: Page): Locator {
  return page.getByTestId('view-trends').locator('.view-header__title')
}

async function text(row: Locator, testid: string): Promise<string> {
  return (await row.getByTestId(testid).innerText()).trim()
}

async function readPoints(page: Page): Promise<Point[]> {
  return Promise.all(
    (await page.getByTestId('trends-point-row').all()).map(async (row) => ({
      date: await text(row, 'date'),
      model: (await row.getAttribute('data-model')) ?? '',
      channel: await text(row, 'channel'),
      conversions: Number((await text(row, 'conversions')).replace(/,/g, '')),
      revenue_cents: Math.round(Number((await text(row, 'revenue')).replace(/[$,]/g, '')) * 100),
    })),
  )
}

test.describe('rough edges of the views', () => {
  test('the lookback field lets people type "07" and says when it clamps', async ({ page }) => {
    await openTrends(page)
    const input = page.getByTestId('lookback-input')
    await input.fill('')
    await input.pressSequentially('07')
    await expect(input).toHaveValue('07')
    await input.press('Enter')
    await expect(input).toHaveValue('7')
    await expect(page.getByTestId('view-trends')).toContainText('7-day lookback')
    await expect(page.getByTestId('lookback-problem')).toHaveCount(0)

    await input.fill('120')
    await input.blur()
    await expect(input).toHaveValue('90')
    await expect(page.getByTestId('lookback-problem')).toHaveText('1–90 whole days: set to 90')
  })

  test('trends show the chosen dates, titled by them, with both models per channel summing to the report', async ({ page }) => {
    await openTrends(page)
    await expect(title(page)).toHaveText('Last 14 days of data')
    await page.getByTestId('date-from').fill('2026-10-01')
    await page.getByTestId('date-to').fill('2026-10-10')
    await expect(title(page)).toHaveText('1 Oct – 10 Oct 2026')
    await expect.poll(async () => (await readPoints(page))[0]?.date).toBe('2026-10-01')

    const points = await readPoints(page)
    expect([...new Set(points.map((point) => point.date))]).toHaveLength(10)
    for (const model of ['first_click', 'last_click']) {
      const report = cliReport(WAREHOUSE, { model, lookbackDays: 14, from: '2026-10-01', to: '2026-10-10' })
      const mine = points.filter((point) => point.model === model)
      expect(mine.reduce((sum, point) => sum + point.conversions, 0)).toBe(report.totals.conversions)
      expect(mine.reduce((sum, point) => sum + point.revenue_cents, 0)).toBe(Math.round(Number(report.totals.revenue_usd) * 100))
    }
    // Why "by model" draws differences: each day's total is the same under both models.
    const dayTotal = (date: string, model: string) =>
      points.filter((point) => point.date === date && point.model === model).reduce((sum, point) => sum + point.conversions, 0)
    for (const date of new Set(points.map((point) => point.date))) expect(dayTotal(date, 'first_click')).toBe(dayTotal(date, 'last_click'))
    await expect(page.getByTestId('trends-why-difference')).toContainText("each day's total is the same under both")
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.screenshot({ path: join(SCREENSHOTS, 'rough-edges-trends-by-model.png') })
  })

  test('each split captions its table truthfully: every day and channel is listed, empty ones as 0', async ({ page }) => {
    await openTrends(page)
    for (const split of ['model', 'channel'] as const) {
      await page.getByTestId(`trends-split-${split}`).click()
      const points = await readPoints(page)
      const days = new Set(points.map((point) => point.date)).size
      const channels = new Set(points.map((point) => point.channel)).size
      const models = new Set(points.map((point) => point.model)).size
      expect(models).toBe(split === 'model' ? 2 : 1)
      expect(days).toBe(14)
      expect(points).toHaveLength(days * channels * models)
      expect(points.some((point) => point.conversions === 0)).toBe(true)
      await expect(page.getByTestId('trends-points-caption')).toContainText('listed')
      await expect(page.getByTestId('trends-points-caption')).not.toContainText('not listed')
    }
  })

  test('a reversed date range gives one message at the date control and sends no query', async ({ page }) => {
    await openTrends(page)
    await page.getByTestId('date-from').fill('2026-10-01')
    await page.getByTestId('date-to').fill('2026-10-10')
    await expect(title(page)).toHaveText('1 Oct – 10 Oct 2026')
    await expect(page.getByTestId('loading')).toHaveCount(0)

    const queries: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/api/attribution:')) queries.push(request.postData() ?? '')
    })
    await page.getByTestId('date-from').fill('2026-10-20')
    await expect(page.getByTestId('date-range-problem')).toBeVisible()
    await page.getByTestId('nav-channels').click()
    await page.getByTestId('nav-trends').click()
    await expect(page.getByRole('alert')).toHaveCount(1)
    await expect(page.getByTestId('error-panel')).toHaveCount(0)
    await expect(title(page)).toHaveText('1 Oct – 10 Oct 2026')
    expect(queries.filter((body) => body.includes('2026-10-20'))).toEqual([])
  })
})
