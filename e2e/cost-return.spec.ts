import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import type { CostReturnResult } from '@shared/cost-return'
import { ROOT, WAREHOUSES, cli } from './warehouses'

// Cost & return: a spend file imported through the bridge (as the desktop app's "Import spend…" does
// with the dialog's tokens), then the view, cell by cell, against `attribution report --with-cost`.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })
const URL = `http://127.0.0.1:${WAREHOUSES.generated.port}/`
const IMPORT_ROOT = join(WAREHOUSES.generated.path, '..', 'imports')
const LOOKBACK_DAYS = 14

/** "$1,234.50" -> "1234.50", "1.67×" -> "1.67". */
const plain = (text: string) => text.replace(/[$,+×\s]/g, '').replace(/\/conv$/, '')

function cliCost(lookbackDays: number): CostReturnResult {
  const args = [
    'report',
    '--with-cost',
    '--warehouse',
    WAREHOUSES.generated.path,
    '--lookback-days',
    String(lookbackDays),
    '--format',
    'json',
  ]
  return JSON.parse(cli(args)) as CostReturnResult
}

/** Every cell of the table as text, keyed by group and model. */
async function readTable(page: Page) {
  return page.getByTestId('cost-row').evaluateAll((rows) =>
    rows.map((row) => ({
      group: row.querySelector('[data-testid="group"]')?.textContent?.trim() ?? '',
      cost: row.querySelector('[data-testid="cost"]')?.textContent?.trim() ?? '',
      cells: Object.fromEntries(
        [...row.querySelectorAll('[data-testid="cost-cell"]')].map((cell) => [
          cell.getAttribute('data-model') ?? '',
          {
            roas: cell.querySelector('[data-testid="roas"]')?.textContent?.trim() ?? '',
            cpa: cell.querySelector('[data-testid="cpa"]')?.textContent?.trim() ?? '',
            conversions: cell.querySelector('[data-testid="conversions"]')?.textContent?.trim() ?? '',
            revenue: cell.querySelector('[data-testid="revenue"]')?.textContent?.trim() ?? '',
          },
        ]),
      ),
    })),
  )
}

async function expectTableEqualsCli(page: Page, lookbackDays: number): Promise<void> {
  const expected = cliCost(lookbackDays)
  await expect(page.getByTestId('cost-total')).toHaveText(
    `$${Number(expected.totals.cost_usd).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
  )
  const shown = await readTable(page)
  expect(shown.map((row) => row.group)).toEqual(expected.rows.map((row) => row.channel))
  for (const [index, row] of expected.rows.entries()) {
    const seen = shown[index]
    expect(plain(seen?.cost ?? ''), row.channel).toBe(row.cost_usd)
    for (const model of expected.models) {
      const cell = row.cells[model]
      const at = `${row.channel} ${model}`
      expect(plain(seen?.cells[model]?.roas ?? ''), at).toBe(cell?.roas ?? '—')
      expect(plain(seen?.cells[model]?.cpa ?? ''), at).toBe(cell?.cost_per_conversion_usd ?? '—')
      expect(plain(seen?.cells[model]?.revenue ?? ''), at).toBe(cell?.revenue_usd)
      // Conversions show to one decimal where credit is shared.
      expect(Math.abs(Number(plain(seen?.cells[model]?.conversions ?? '')) - (cell?.conversions ?? 0)), at).toBeLessThanOrEqual(0.05 + 1e-9)
    }
  }
}

test('import a spend file, then the Cost & return view equals the CLI at two lookbacks', async ({ page, request }) => {
  mkdirSync(IMPORT_ROOT, { recursive: true })
  // bing is a search site and cpc a paid medium: Paid Search, on a day of the generated window.
  writeFileSync(
    join(IMPORT_ROOT, 'e2e-spend.csv'),
    'date,source,medium,campaign,cost,currency\n2026-10-20,bing,cpc,e2e_spring,123.45,USD\n',
  )
  const first = await (await request.post(`${URL}api/cost:importSpend`, { data: { files: ['e2e-spend.csv'] } })).json()
  expect(first).toMatchObject({ ok: true, value: [{ format: 'plain', rows: 1, added: 1, changed: 0 }] })
  const again = await (await request.post(`${URL}api/cost:importSpend`, { data: { files: ['e2e-spend.csv'] } })).json()
  expect(again).toMatchObject({ ok: true, value: [{ added: 0, changed: 0, unchanged: 1 }] })
  writeFileSync(
    join(IMPORT_ROOT, 'e2e-spend-eur.csv'),
    'date,source,medium,campaign,cost,currency\n2026-10-20,bing,cpc,e2e_spring,99.00,EUR\n',
  )
  const euro = await (await request.post(`${URL}api/cost:importSpend`, { data: { files: ['e2e-spend-eur.csv'] } })).json()
  expect(euro).toMatchObject({ ok: false, error: expect.stringMatching(/line 2: currency EUR, but costs are stored in USD/) })

  await page.goto(URL)
  await page.getByTestId('nav-cost').click()
  await expect(page.getByTestId('view-cost')).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await expect(page.getByTestId('cost-row').first()).toBeVisible()
  await expectTableEqualsCli(page, LOOKBACK_DAYS)
  await expect(page.getByTestId('cost-roas-chart').locator('canvas')).toBeVisible()
  await expect(page.getByTestId('cost-trend-chart').locator('canvas')).toBeVisible()

  const viewport = page.viewportSize()
  const hidden = await page.locator('.shell__content').evaluate((element) => element.scrollHeight - element.clientHeight)
  if (viewport && hidden > 0) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height + hidden })
    await page.waitForTimeout(300)
  }
  await page.screenshot({ path: join(SCREENSHOTS, 'cost-and-return.png') })
  if (viewport && hidden > 0) await page.setViewportSize(viewport)

  await page.getByTestId('lookback-input').fill('30')
  await page.getByTestId('lookback-input').press('Enter')
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await expect.poll(async () => (await readTable(page)).length).toBe(cliCost(30).rows.length)
  await expect(async () => expectTableEqualsCli(page, 30)).toPass({ timeout: 20_000 })

  await page.getByTestId('cost-by-campaign').click()
  await expect(page.getByTestId('cost-row').filter({ hasText: 'bing / cpc / e2e_spring' })).toBeVisible()
})
