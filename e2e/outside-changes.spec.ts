import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { StreamStatus } from '@shared/api'
import { apiCaller, startOwnBridge } from './own-bridge'
import { ROOT, cli, e2ePort } from './warehouses'

// Its own warehouse and bridge (outside the shared e2e folder), which the CLI then changes beside the open page.
const PORT = e2ePort(13)
const URL = `http://127.0.0.1:${PORT}/`
const DIR = join(ROOT, 'test-results', 'outside-changes')
const PATH = join(DIR, 'outside.duckdb')
let bridge: ChildProcess | undefined

test.beforeAll(async () => {
  test.setTimeout(180_000)
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  cli(['generate', '--users', '400', '--days', '20', '--end-date', '2026-10-31', '--seed', '17', '--warehouse', PATH])
  cli(['build', '--warehouse', PATH])
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

test('a CLI stream on the warehouse the page has open shows within seconds, with a note of what changed', async ({ page, request }) => {
  const call = apiCaller(request, URL)
  await page.goto(URL)
  await page.getByTestId('nav-feed').click()
  await expect(page.getByTestId('feed-row').first()).toBeVisible()
  await expect(page.getByTestId('outside-change')).toHaveCount(0)

  // The app is idle and holds no lock, so the CLI gets the file at once.
  const streamed = JSON.parse(cli(['stream', '--count', '20', '--seed', '77', '--warehouse', PATH])) as { added: number }
  expect(streamed.added).toBe(20)
  const started = Date.now()
  await expect(page.getByTestId('outside-change-text')).toHaveText('Outside change: 20 events streamed', { timeout: 10_000 })
  expect(Date.now() - started).toBeLessThan(10_000)
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'outside-change.png'), fullPage: true })

  // No outside build modelled them, so the app's refresh loop does.
  await expect.poll(async () => (await call<StreamStatus>('stream:status')).refresh.lastSuccessAt, { timeout: 90_000 }).not.toBeNull()
  await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'idle', { timeout: 30_000 })

  // A CLI build is noted with its time, and the note can be dismissed.
  cli(['build', '--warehouse', PATH])
  await expect(page.getByTestId('outside-change-text')).toContainText(/models rebuilt \d\d:\d\d/, { timeout: 10_000 })
  await page.getByTestId('outside-change-dismiss').click()
  await expect(page.getByTestId('outside-change')).toHaveCount(0)
})
