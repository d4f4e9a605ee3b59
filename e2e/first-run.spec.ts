import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { ROOT, WAREHOUSES } from './warehouses'

const URL = `http://127.0.0.1:${WAREHOUSES.empty.port}/`
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')

test('a first run on an empty warehouse offers sample data, shows progress, builds and opens the dashboard', async ({ page }) => {
  await page.goto(URL)
  await expect(page.getByTestId('welcome-panel')).toBeVisible()
  await page.screenshot({ path: join(SCREENSHOTS, 'first-run-welcome.png') })

  // The browser preview has no file dialog: importing says what to do instead.
  await page.getByTestId('import-files').click()
  await expect(page.getByTestId('welcome-panel')).toContainText('npx attribution import')

  await page.getByTestId('generate-sample').click()
  await expect(page.getByTestId('job-progress')).toBeVisible()
  await page.screenshot({ path: join(SCREENSHOTS, 'first-run-progress.png') })

  await expect(page.getByTestId('view-compare')).toBeVisible({ timeout: 180_000 })
  await expect(page.getByTestId('loading')).toHaveCount(0, { timeout: 30_000 })
  const conversions = Number((await page.getByTestId('compare-total-conversions').innerText()).replace(/[^0-9]/g, ''))
  expect(conversions).toBeGreaterThan(0)
  await expect(page.getByTestId('compare-row').first()).toBeVisible()
})

test('the settings view shows the warehouse choice and keeps keys out of the browser preview', async ({ page }) => {
  await page.goto(URL)
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('view-settings')).toBeVisible()
  await page.getByTestId('settings-warehouse-bigquery').check()
  await expect(page.getByTestId('settings-project')).toBeVisible()
  await page.getByTestId('credentials-choose').click()
  await expect(page.getByTestId('credentials-error')).toContainText('desktop app')
  await page.screenshot({ path: join(SCREENSHOTS, 'settings.png'), fullPage: true })
})
