import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { startOwnBridge } from './own-bridge'
import { FIXTURE_PARQUET, ROOT, cli, cliReport, e2ePort, hasFixture } from './warehouses'

// Its own copy of the fixture: the list changes the models, which the other specs' warehouses must not see.
const PORT = e2ePort(21)
const URL = `http://127.0.0.1:${PORT}/`
const DIR = join(ROOT, 'test-results', 'unwanted-referrals')
const PATH = join(DIR, 'fixture.duckdb')
/** Views with a context line: each must name the list. */
const VIEWS_WITH_CONTEXT = ['compare', 'models', 'paths', 'trends', 'channels'] as const
let bridge: ChildProcess | undefined

test.skip(!hasFixture, `needs ${FIXTURE_PARQUET}`)

test.beforeAll(async () => {
  test.setTimeout(240_000)
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  cli(['import', FIXTURE_PARQUET, '--warehouse', PATH])
  cli(['build', '--warehouse', PATH])
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

/** The Compare models table's last-click side, per channel, as the CLI prints it. */
async function lastClickByChannel(page: Page): Promise<Record<string, { conversions: number; revenue_usd: string }>> {
  const out: Record<string, { conversions: number; revenue_usd: string }> = {}
  for (const row of await page.getByTestId('compare-row').all()) {
    const conversions = Number((await row.getByTestId('b-conversions').innerText()).replace(/[,\s]/g, ''))
    if (conversions === 0) continue
    out[(await row.getByTestId('channel').innerText()).trim()] = {
      conversions,
      revenue_usd: (await row.getByTestId('b-revenue').innerText()).replace(/[$,\s]/g, ''),
    }
  }
  return out
}

function cliLastClick(): Record<string, { conversions: number; revenue_usd: string }> {
  return Object.fromEntries(
    cliReport({ path: PATH }, { model: 'last_click', lookbackDays: 14 }).rows.map((row) => [
      row.channel ?? '',
      { conversions: row.conversions, revenue_usd: row.revenue_usd },
    ]),
  )
}

test('Settings suggests own-domain referrals; an added unwanted referral shows in every view and equals the CLI', async ({ page }) => {
  test.setTimeout(240_000)
  await page.goto(URL)
  await page.getByTestId('nav-settings').click()
  const panel = page.getByTestId('referrals-panel')
  await expect(panel).toBeVisible()
  // The store's own domain, found from page_location and skipped by default, with its sessions from the data.
  const own = page.getByTestId('referrals-candidate-shop.googlemerchandisestore.com')
  await expect(own).toContainText('655')
  await expect(own).toContainText('Skipped')
  await expect(page.getByTestId('referrals-self-detection')).toBeChecked()

  // An invalid regex is refused with the reason; nothing is stored.
  await page.getByTestId('referrals-match-type').selectOption('regex')
  await page.getByTestId('referrals-pattern').fill('google(')
  await page.getByTestId('referrals-add').click()
  await expect(page.getByTestId('referrals-error')).toContainText('is not a valid regular expression')

  const before = cliLastClick()
  await page.getByTestId('referrals-match-type').selectOption('ends_with')
  await page.getByTestId('referrals-pattern').fill('google.com')
  await page.getByTestId('referrals-add').click()
  await expect(page.getByTestId('referrals-list')).toContainText('ends with google.com', { timeout: 120_000 })
  await expect(page.getByTestId('referrals-error')).toHaveCount(0)
  await panel.scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'settings-unwanted-referrals.png'), fullPage: true })

  // The CLI reads the same list, and its report is the app's.
  expect(cli(['referrals', '--warehouse', PATH])).toContain('ends with google.com')
  const after = cliLastClick()
  expect(after).not.toEqual(before)
  for (const view of VIEWS_WITH_CONTEXT) {
    await page.getByTestId(`nav-${view}`).click()
    await expect(page.getByTestId(`view-${view}`)).toBeVisible()
    await expect(page.getByTestId('view-context')).toContainText('unwanted referrals: ends with google.com')
  }
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('loading')).toHaveCount(0)
  await expect.poll(() => lastClickByChannel(page)).toEqual(after)
})
