import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { ROOT, WAREHOUSES, type WarehouseName } from './warehouses'

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
const HEADER_MAX_PX = 120
const OFFLINE = 'BigQuery cannot be reached: getaddrinfo ENOTFOUND bigquery.googleapis.com'

async function open(page: Page, warehouse: WarehouseName, view: 'compare' | 'trends' | 'channels' | 'feed' | 'settings'): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[warehouse].port}/`)
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

/** Answers warehouse:status with the real status, its newest event time replaced. */
async function newestEventAt(page: Page, iso: string): Promise<void> {
  await page.route('**/api/warehouse:status', async (route) => {
    const response = await route.fetch()
    const body = (await response.json()) as { ok: boolean; value?: Record<string, unknown> }
    await route.fulfill({ response, json: body.ok ? { ...body, value: { ...body.value, newestEventAt: iso } } : body })
  })
}

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

test('the header keeps every control in at most 120 px at 1280 x 720, and nothing scrolls sideways at 1024', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await open(page, 'generated', 'compare')
  const header = page.locator('.app-header')
  for (const testid of ['lookback-input', 'conversion-event-purchase', 'date-from', 'date-to', 'stream-burst', 'data-freshness']) {
    await expect(page.getByTestId(testid)).toBeAttached()
  }
  for (const testid of ['lookback-input', 'date-from', 'stream-burst', 'data-freshness'])
    await expect(header.getByTestId(testid)).toBeVisible()
  expect((await header.boundingBox())?.height).toBeLessThanOrEqual(HEADER_MAX_PX)
  await page.screenshot({ path: join(SCREENSHOTS, 'rough-edges-1280x720.png') })

  await page.setViewportSize({ width: 1024, height: 768 })
  for (const view of ['compare', 'trends', 'channels', 'feed'] as const) {
    await page.getByTestId(`nav-${view}`).click()
    await expect(page.getByTestId(`view-${view}`)).toBeVisible()
    await expect(page.getByTestId('loading')).toHaveCount(0)
    // The page, the view area and the feed's table: how far each scrolls sideways (written as text: e2e code has no DOM types).
    const overflow = await page.evaluate<number[]>(`[document.scrollingElement, document.querySelector('.shell__content'),
      ...[...document.querySelectorAll('.table--feed')].map((table) => table.parentElement)].map((element) => element.scrollWidth - element.clientWidth)`)
    expect(
      overflow.every((extra) => extra <= 0),
      `${view} scrolls sideways by ${overflow.join(', ')} px`,
    ).toBe(true)
    expect((await page.locator('.app-header').boundingBox())?.height).toBeLessThanOrEqual(HEADER_MAX_PX)
  }
  await page.screenshot({ path: join(SCREENSHOTS, 'rough-edges-feed-1024x768.png') })
})

test('stale data is amber with its date; fresh data is green and counts time', async ({ page }) => {
  await newestEventAt(page, '2021-01-19T12:00:00Z')
  await open(page, 'generated', 'compare')
  const freshness = page.getByTestId('data-freshness')
  await expect(freshness).toHaveAttribute('data-state', 'stale')
  await expect(freshness).toHaveText('data as of 19 Jan 2021')
  const dot = freshness.locator('.freshness__dot')
  await expect(dot).toHaveCSS('background-color', 'rgb(245, 158, 11)')
  await expect(page.getByTestId('view-freshness-newest')).toHaveText('newest event 19 Jan 2021')

  await page.unroute('**/api/warehouse:status')
  await newestEventAt(page, new Date(Date.now() - 5 * 60_000).toISOString())
  await page.reload()
  await expect(freshness).toHaveAttribute('data-state', 'fresh')
  await expect(freshness).toHaveText('data as of 5 min ago')
  await expect(dot).toHaveCSS('background-color', 'rgb(21, 128, 61)')
})

test('the last conversion chip says why it cannot be turned off', async ({ page }) => {
  await open(page, 'generated', 'compare')
  await expect(page.getByTestId('conversion-event-purchase')).toBeDisabled()
  await expect(page.getByTestId('conversion-chip-purchase')).toHaveAttribute('title', 'At least one conversion event is needed')
  await page.getByTestId('conversion-chip-add_to_cart').click()
  await expect(page.getByTestId('conversion-event-purchase')).toBeEnabled()
  await expect(page.getByTestId('conversion-chip-purchase')).not.toHaveAttribute('title', /.*/)
})

test('an unreachable warehouse keeps the navigation and shows the error in the view area', async ({ page }) => {
  await page.route('**/api/warehouse:status', (route) => route.fulfill({ json: { ok: false, error: OFFLINE } }))
  await page.goto(`http://127.0.0.1:${WAREHOUSES.generated.port}/`)
  const unreachable = page.getByTestId('view-unreachable')
  await expect(unreachable).toBeVisible()
  await expect(unreachable.getByTestId('error-message')).toHaveText(OFFLINE)
  await expect(page.locator('.sidebar')).toBeVisible()
  await expect(page.locator('.shell__content').getByTestId('view-unreachable')).toBeVisible()

  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('view-settings')).toBeVisible()
  await page.getByTestId('nav-trends').click()
  await expect(unreachable).toBeVisible()
  await expect(page.getByTestId('nav-feed')).toBeVisible()

  // Once the warehouse answers again, Retry brings the view back.
  await page.unroute('**/api/warehouse:status')
  await unreachable.getByTestId('error-retry').click()
  await expect(page.getByTestId('view-trends')).toBeVisible()
})

test('the connection-test error goes as soon as a field changes', async ({ page }) => {
  await page.route('**/api/settings:testConnection', (route) => route.fulfill({ json: { ok: false, error: OFFLINE } }))
  await open(page, 'generated', 'settings')
  await page.getByTestId('settings-test').click()
  await expect(page.getByTestId('test-error')).toHaveText(OFFLINE)
  await page.getByTestId('settings-project').fill('another-project')
  await expect(page.getByTestId('settings-test-result')).toHaveCount(0)
  // Nothing was saved: the settings file other specs use is left alone.
  await page.getByTestId('settings-discard').click()
})

test('exports say what they hold: model, lookback, events, dates and drill-down', async ({ page }) => {
  await open(page, 'generated', 'channels')
  await page.getByTestId('date-from').fill('2026-10-01')
  await page.getByTestId('date-from').dispatchEvent('change')
  await expect(page.getByTestId('loading')).toHaveCount(0)
  const channel = (await page.getByTestId('channels-row').first().getByTestId('channel').innerText()).trim()
  await page.getByTestId('channels-row').first().click()
  await expect(page.getByTestId('channels-breadcrumb')).toContainText(channel)
  await expect(page.getByTestId('loading')).toHaveCount(0)

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  const slug = channel.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  expect(csv.suggestedFilename()).toMatch(
    new RegExp(`^channels_last-click_14d_purchase_2026-10-01-to-\\d{4}-\\d{2}-\\d{2}_${slug}-source-medium_\\d{4}-\\d{2}-\\d{2}\\.csv$`),
  )
  const text = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '')
  const [view, model, lookback, events, dates, drillDown] = text.split('\r\n')
  expect([view, model, lookback, events, drillDown]).toEqual([
    '# view: channels',
    '# model: last_click',
    '# lookback_days: 14',
    '# conversion_events: purchase',
    `# drill_down: ${channel} > source / medium`,
  ])
  // The open end is the data's own last conversion date, never "latest".
  expect(dates).toMatch(/^# dates: 2026-10-01 to \d{4}-\d{2}-\d{2}$/)

  const card = page.getByTestId('channels-chart')
  const [png] = await Promise.all([page.waitForEvent('download'), card.getByTestId('save-png').click()])
  expect(png.suggestedFilename()).toMatch(/^channels_last-click_14d_purchase_2026-10-01-to-\d{4}-\d{2}-\d{2}_.*\.png$/)
  const size = pngSize(await png.path())
  const body = await card.locator('.chart-card__body').boundingBox()
  // The picture is the chart at twice its size plus a caption (title and context) above it.
  expect(size.width).toBeGreaterThan(2 * (body?.width ?? 0))
  expect(size.height).toBeGreaterThan(2 * ((body?.height ?? 0) + 40))
})

test('a burst that replays an event says so, and the replayed duplicate is flagged above the feed', async ({ page }) => {
  await open(page, 'stream', 'feed')
  // Realistic bursts: exactly the chosen size, so the text can be checked whole.
  await page.getByTestId('stream-demo').uncheck()
  const burstResult = page.getByTestId('feed-burst-result')
  let replayed = false
  // The source replays one event of the previous burst about one burst in three.
  for (let burst = 0; burst < 20 && !replayed; burst++) {
    await expect(page.getByTestId('stream-burst')).toBeEnabled()
    await page.getByTestId('stream-burst').click()
    await expect(burstResult).toBeVisible()
    replayed = (await burstResult.innerText()).includes('replayed')
  }
  expect(replayed).toBe(true)
  await expect(burstResult).toHaveText('Last burst: 11 events sent: 10 + 1 duplicate replayed')
  const banner = page.getByTestId('feed-duplicates-now')
  await expect(banner).toContainText(/^duplicate\s*1 duplicate just now: \w+/)
  const bannerBox = await banner.boundingBox()
  const tableBox = await page.getByTestId('feed-table').boundingBox()
  expect(bannerBox!.y).toBeLessThan(tableBox!.y)
  await expect(page.locator('[data-testid="feed-row"][data-delivery="duplicate"]').first()).toBeAttached()
  await page.screenshot({ path: join(SCREENSHOTS, 'rough-edges-feed-duplicate.png') })
  // Leave no refresh half-done for the next spec on this warehouse.
  await expect(page.getByTestId('refresh-state')).not.toHaveAttribute('data-state', /waiting|running/, { timeout: 90_000 })
})
