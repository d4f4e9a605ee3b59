import type { ChildProcess } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { FeedEvent, StreamStatus } from '@shared/api'
import { apiCaller, startOwnBridge } from './own-bridge'
import { E2E_DIR, ROOT, WAREHOUSES, e2ePort } from './warehouses'

// Its own bridge on a copy of the streaming warehouse: this spec cancels refreshes and leaves a stream's worth of events behind.
const PORT = e2ePort(6)
const URL = `http://127.0.0.1:${PORT}/`
const PATH = join(E2E_DIR, 'sustained.duckdb')
let bridge: ChildProcess | undefined

test.beforeAll(async () => {
  rmSync(`${PATH}.outbox`, { recursive: true, force: true })
  copyFileSync(WAREHOUSES.stream.path, PATH)
  // The warehouse's Parquet files live beside it: the copy needs them too (as copyWarehouse in raw-files.ts does).
  rmSync(`${PATH}.raw`, { recursive: true, force: true })
  if (existsSync(`${WAREHOUSES.stream.path}.raw`)) cpSync(`${WAREHOUSES.stream.path}.raw`, `${PATH}.raw`, { recursive: true })
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

test('a continuous stream refreshes as it goes; Cancel stops a run as "cancelled" and the numbers catch up without a new burst', async ({
  page,
  request,
}) => {
  const call = apiCaller(request, URL)
  await page.goto(URL)
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('loading')).toHaveCount(0)
  const before = (await page.getByTestId('compare-total-conversions').innerText()).trim()

  await page.getByTestId('stream-rate').fill('50')
  await page.getByTestId('stream-rate').press('Enter')
  await page.getByTestId('stream-continuous').check()

  // A streamed purchase to watch, and refreshes that complete while the stream goes on (no starved debounce).
  await expect
    .poll(
      async () =>
        (await call<FeedEvent[]>('events:recent', { limit: 500 })).some(
          (event) => event.event_name === 'purchase' && event.delivery === 'new',
        ),
      { timeout: 90_000 },
    )
    .toBe(true)
  await expect.poll(async () => (await call<StreamStatus>('stream:status')).refresh.lastSuccessAt, { timeout: 90_000 }).not.toBeNull()
  // Once it measured a run, the rate control says what this machine keeps up with.
  await expect(page.getByTestId('stream-sustainable')).toBeVisible({ timeout: 30_000 })

  // Catch a run in progress and cancel it: the header says cancelled within 2 s. A run may end
  // between the button showing and the click landing (runs take about a second here): then the
  // click cancels nothing, and the next run (the stream still goes on) is caught instead.
  await expect(async () => {
    await page.getByTestId('refresh-cancel').click({ timeout: 30_000 })
    await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'cancelled', { timeout: 2_000 })
  }).toPass({ timeout: 90_000 })
  await page.getByTestId('stream-continuous').uncheck()
  await expect(page.getByTestId('refresh-cancelled')).toContainText('refresh cancelled')
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'sustained-cancelled.png'), fullPage: true })
  const cancelled = await call<StreamStatus>('stream:status')
  expect(cancelled.refresh.state).toBe('cancelled')
  expect(cancelled.refresh.lastError).toBeNull()

  // No new burst: the loop refreshes the unmodelled events by itself, and the views catch up.
  await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'idle', { timeout: 90_000 })
  await expect.poll(async () => (await call<StreamStatus>('stream:status')).refresh.unmodelledEvents, { timeout: 90_000 }).toBe(0)
  await expect
    .poll(async () => (await page.getByTestId('compare-total-conversions').innerText()).trim(), { timeout: 60_000 })
    .not.toBe(before)
  const feed = await call<FeedEvent[]>('events:recent', { limit: 500 })
  expect(feed.some((event) => event.event_name === 'purchase' && event.delivery === 'new' && event.first_click_channel !== null)).toBe(true)
})
