import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { ROOT, WAREHOUSES } from './warehouses'

const URL = `http://127.0.0.1:${WAREHOUSES.stream.port}/`
const CONVERSION_EVENTS = ['purchase']

test('"Stream events" shows new rows in the live feed, and a streamed conversion moves the first-vs-last numbers', async ({ page }) => {
  await page.goto(URL)
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('loading')).toHaveCount(0)
  const before = (await page.getByTestId('compare-total-conversions').innerText()).trim()

  await page.getByTestId('nav-feed').click()
  await expect(page.getByTestId('feed-row').first()).toBeVisible()
  await page.getByTestId('stream-size').selectOption('20')

  // Burst until a streamed conversion shows up; each burst must show its new rows within seconds.
  let sawConversion = false
  for (let burst = 0; burst < 40 && !sawConversion; burst++) {
    // Streamed rows are flagged new (or duplicate, for a retried event); the feed lists the newest 50.
    const streamedRows = page.locator('[data-testid="feed-row"][data-delivery="new"], [data-testid="feed-row"][data-delivery="duplicate"]')
    const conversionRows = page.locator(
      CONVERSION_EVENTS.map((name) => `[data-testid="feed-row"][data-delivery="new"] .event-name--${name}`).join(', '),
    )
    const before = await streamedRows.count()
    const conversionsBefore = await conversionRows.count()
    await page.getByTestId('stream-burst').click()
    await expect(page.getByTestId('stream-result')).toContainText('events sent')
    await expect.poll(() => streamedRows.count(), { timeout: 5_000 }).toBeGreaterThanOrEqual(Math.min(50, before + 20))
    // Only a conversion of this burst counts: the feed may still show one from an earlier run.
    sawConversion = (await conversionRows.count()) > conversionsBefore
  }
  expect(sawConversion, 'a purchase was streamed').toBe(true)
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'stream-feed.png'), fullPage: true })

  // Once the refresh ran, the conversion is credited in the feed and counted in first vs last.
  await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'idle', { timeout: 90_000 })
  await expect(page.getByTestId('credited').first()).toContainText('first:', { timeout: 30_000 })
  await page.getByTestId('nav-compare').click()
  await expect
    .poll(async () => (await page.getByTestId('compare-total-conversions').innerText()).trim(), { timeout: 60_000 })
    .not.toBe(before)
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'stream-compare.png'), fullPage: true })
})
