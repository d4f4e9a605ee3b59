import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startOwnBridge } from './own-bridge'
import { ROOT, cli, e2ePort } from './warehouses'

// ga4.duckdb: DuckDB would name its catalog "ga4", the name of the raw schema; the app and dbt attach it under a fixed name.
const PORT = e2ePort(14)
const URL = `http://127.0.0.1:${PORT}/`
const DIR = join(ROOT, 'test-results', 'warehouse-names')
const PATH = join(DIR, 'ga4.duckdb')
let bridge: ChildProcess | undefined

test.beforeAll(async () => {
  test.setTimeout(180_000)
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  cli(['generate', '--users', '400', '--days', '20', '--end-date', '2026-10-31', '--seed', '13', '--warehouse', PATH])
  cli(['build', '--warehouse', PATH])
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

test('the dashboard opens on a warehouse named ga4.duckdb and shows what the CLI reports', async ({ page }) => {
  const report = JSON.parse(cli(['report', '--warehouse', PATH, '--model', 'last_click', '--lookback-days', '14', '--format', 'json'])) as {
    totals: { conversions: number }
  }
  expect(report.totals.conversions).toBeGreaterThan(0)

  await page.goto(URL)
  await expect(page.getByTestId('warehouse-location')).toHaveAttribute('data-location', PATH)
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await expect(page.getByTestId('compare-total-conversions')).toContainText(report.totals.conversions.toLocaleString('en-US'))
  await page.getByTestId('nav-feed').click()
  await expect(page.getByTestId('feed-row').first()).toBeVisible()
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'warehouse-names-ga4.png'), fullPage: true })
})
