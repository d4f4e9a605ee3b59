import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { startOwnBridge } from './own-bridge'
import { ROOT, cli, e2ePort } from './warehouses'

// Settings chose BigQuery with a service-account key, but the bridge has no key (no keyring, or a session-only key
// forgotten at quit): it starts anyway on the embedded warehouse, says why and leads to the key panel.
const DIR = join(ROOT, 'test-results', 'start-without-key')
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
const SETTINGS = {
  warehouse: 'bigquery',
  bigquery: {
    projectId: 'acme-analytics',
    ga4Dataset: 'analytics_123456',
    martsDataset: 'attribution',
    location: 'US',
    maximumBytesBilled: 1024 ** 3,
    dbtMaximumBytesBilled: 50 * 1024 ** 3,
    credentialMode: 'service_account',
  },
}
const WAREHOUSES = {
  /** Nothing stored yet: the welcome panel carries the notice. */
  empty: { path: join(DIR, 'empty', 'warehouse.duckdb'), port: e2ePort(17) },
  /** A small built sample: the dashboard's shell carries it. */
  sample: { path: join(DIR, 'sample', 'warehouse.duckdb'), port: e2ePort(18) },
}
const bridges: ChildProcess[] = []

test.beforeAll(async () => {
  test.setTimeout(180_000)
  rmSync(DIR, { recursive: true, force: true })
  for (const { path } of Object.values(WAREHOUSES)) {
    mkdirSync(join(path, '..'), { recursive: true })
    // The bridge reads settings.json beside the warehouse: the file a save through an earlier bridge left.
    writeFileSync(join(path, '..', 'settings.json'), `${JSON.stringify(SETTINGS, null, 2)}\n`)
  }
  cli(['generate', '--users', '300', '--days', '14', '--end-date', '2026-10-31', '--seed', '21', '--warehouse', WAREHOUSES.sample.path])
  cli(['build', '--warehouse', WAREHOUSES.sample.path])
  for (const { path, port } of Object.values(WAREHOUSES)) bridges.push(await startOwnBridge(path, port))
})
test.afterAll(() => {
  for (const bridge of bridges) bridge.kill('SIGTERM')
})

/** Follows "Choose a key" to the Settings key panel. */
async function chooseKey(page: Page): Promise<void> {
  await page.getByTestId('warehouse-fallback-action').click()
  await expect(page.getByTestId('view-settings')).toBeVisible()
  const panel = page.getByTestId('credentials-panel')
  await expect(panel).toBeInViewport()
  await expect(panel).toHaveAttribute('data-focused', 'true')
  await expect(page.getByTestId('settings-active-warehouse')).toContainText('Embedded')
  // The settings as saved are kept: BigQuery with a key, waiting for the key.
  await expect(page.getByTestId('settings-warehouse-bigquery')).toBeChecked()
}

test('an empty warehouse opens on the welcome panel with the reason and "Choose a key"', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(`http://127.0.0.1:${WAREHOUSES.empty.port}/`)
  await expect(page.getByTestId('welcome-panel')).toBeVisible()
  const notice = page.getByTestId('warehouse-fallback')
  await expect(notice).toBeVisible()
  await expect(notice).toContainText('BigQuery is chosen in Settings, but no service-account key is available')
  await expect(notice).toContainText('The embedded warehouse is shown meanwhile.')
  await expect(page.getByTestId('warehouse-fallback-action')).toHaveText('Choose a key')
  await page.screenshot({ path: join(SCREENSHOTS, 'start-without-key-welcome.png') })
  await chooseKey(page)
  await page.screenshot({ path: join(SCREENSHOTS, 'start-without-key-settings.png') })
})

test('a warehouse with data opens the dashboard with the notice above the view', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(`http://127.0.0.1:${WAREHOUSES.sample.port}/#/compare`)
  await expect(page.getByTestId('warehouse-location')).toHaveAttribute('data-location', WAREHOUSES.sample.path)
  await expect(page.getByTestId('warehouse-fallback')).toContainText('no service-account key is available')
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await page.screenshot({ path: join(SCREENSHOTS, 'start-without-key-dashboard.png') })
  await chooseKey(page)
})
