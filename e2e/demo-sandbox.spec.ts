/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { ChildProcess } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { apiCaller, startOwnBridge } from './own-bridge'
import { E2E_DIR, ROOT, WAREHOUSES, cli, e2ePort, hasFixture } from './warehouses'

// Its own bridge on a copy of the imported GA4 fixture: an analyst's warehouse, which "Stream events" must never write into.
const PORT = e2ePort(20)
const URL = `http://127.0.0.1:${PORT}/`
const PATH = join(E2E_DIR, 'demo-analyst.duckdb')
const SANDBOX = join(`${PATH}.demo`, 'demo.duckdb')
const SHOTS = join(ROOT, 'test-results', 'screenshots')
const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
]
let bridge: ChildProcess | undefined

/** The raw counts `attribution status` prints for a warehouse file. */
function rawCounts(path: string): { events: number; intradayEvents: number } {
  const status = JSON.parse(cli(['status', '--warehouse', path])) as { events: number; intradayEvents: number }
  return { events: status.events, intradayEvents: status.intradayEvents }
}

/** Conversions the CLI reports for a warehouse with the views' defaults (14 days, purchase). */
function cliConversions(path: string): number {
  const report = JSON.parse(
    cli(['report', '--warehouse', path, '--model', 'first_click', '--lookback-days', '14', '--format', 'json']),
  ) as {
    totals: { conversions: number }
  }
  return report.totals.conversions
}

async function shownConversions(page: Page): Promise<number> {
  await expect(page.getByTestId('loading')).toHaveCount(0)
  return Number((await page.getByTestId('compare-total-conversions').innerText()).replace(/[^\d.]/g, ''))
}

/** True when the page scrolls sideways: something is wider than the window. */
function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
}

/** True when the element's text shows whole: neither clipped to an ellipsis nor cut after its last line. */
async function isShownWhole(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate(
      (element) =>
        element.clientWidth >= 60 && element.scrollWidth <= element.clientWidth + 1 && element.scrollHeight <= element.clientHeight + 1,
    )
}

/** True when a click at the middle of the element lands on it (nothing covers it, nothing clips it away). */
async function isClickable(page: Page, testId: string): Promise<boolean> {
  return page.getByTestId(testId).evaluate((element) => {
    const box = element.getBoundingClientRect()
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    return box.width > 0 && box.right <= window.innerWidth && hit !== null && element.contains(hit)
  })
}

test.beforeAll(async () => {
  test.skip(!hasFixture, 'the GA4 fixture is absent')
  for (const folder of [`${PATH}.demo`, `${PATH}.outbox`, `${PATH}.raw`]) rmSync(folder, { recursive: true, force: true })
  copyFileSync(WAREHOUSES.fixture.path, PATH)
  if (existsSync(`${WAREHOUSES.fixture.path}.raw`)) cpSync(`${WAREHOUSES.fixture.path}.raw`, `${PATH}.raw`, { recursive: true })
  mkdirSync(SHOTS, { recursive: true })
  bridge = await startOwnBridge(PATH, PORT)
})
test.afterAll(() => {
  bridge?.kill('SIGTERM')
})

for (const viewport of VIEWPORTS) {
  const size = `${viewport.width}x${viewport.height}`
  test.describe(`at ${size}`, () => {
    test.use({ viewport })

    test('streaming on imported data runs in a labelled demo copy, shows what moved, and goes back and away in one click each', async ({
      page,
      request,
    }) => {
      test.setTimeout(300_000)
      await apiCaller(request, URL)('demo:remove')
      const real = rawCounts(PATH)
      await page.goto(URL)
      await page.getByTestId('nav-compare').click()
      const before = await shownConversions(page)
      expect(before).toBe(cliConversions(PATH))
      if (viewport.width === 1280) await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'demo-before.png') })

      await page.getByTestId('stream-burst').click()
      await expect(page.getByTestId('demo-label')).toHaveText('Demo copy of demo-analyst.duckdb')
      await expect(page.getByTestId('warehouse-location')).toHaveAttribute('data-location', SANDBOX)
      // The burst note says the total sent first, and wraps rather than widening the page.
      const note = page.getByTestId('stream-result')
      await expect(note).toHaveText(/^\d+ events sent: 10 \+ a returning visitor's journey \(\d+ events?\)/)
      const [, total, journey, replayed] =
        /^(\d+) events sent: 10 \+ a returning visitor's journey \((\d+) events?\)(?: \+ (\d+) duplicates? replayed)?/.exec(
          await note.innerText(),
        ) ?? []
      expect(Number(total)).toBe(10 + Number(journey) + Number(replayed ?? 0))
      expect(await hasHorizontalScroll(page)).toBe(false)
      await page.screenshot({ path: join(SHOTS, `demo-burst-${size}.png`) })

      // After the refresh: what moved is named above every view, and the numbers equal the CLI's on the demo copy.
      await expect(page.getByTestId('credit-changes-text')).toContainText(/under (first|last) click/, { timeout: 120_000 })
      await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 })
      await expect.poll(async () => (await shownConversions(page)) === cliConversions(SANDBOX), { timeout: 30_000 }).toBe(true)
      if (viewport.width === 1280) await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'demo-after.png') })
      await page.getByTestId('nav-models').click()
      await expect(page.getByTestId('credit-changes')).toBeVisible()
      await page.screenshot({ path: join(SHOTS, `demo-changes-models-${size}.png`) })

      // Demo rows are marked in the live feed.
      await page.getByTestId('nav-feed').click()
      await expect(page.locator('[data-testid="feed-row"][data-demo="true"]').first()).toBeVisible()
      await expect(page.locator('[data-testid="feed-row"][data-demo="true"] [data-testid="demo-row"]').first()).toHaveText('demo')

      // Nothing reached the analyst's file.
      expect(rawCounts(PATH)).toEqual(real)

      await page.getByTestId('demo-leave').click()
      await expect(page.getByTestId('warehouse-location')).toHaveAttribute('data-location', PATH)
      await page.getByTestId('nav-compare').click()
      expect(await shownConversions(page)).toBe(before)
      await page.getByTestId('demo-remove').click()
      await expect(page.getByTestId('demo-kept')).toHaveCount(0)
      expect(existsSync(`${PATH}.demo`)).toBe(false)
      expect(rawCounts(PATH)).toEqual(real)
    })

    test('the header stays two rows with the refresh state readable and Cancel clickable; notes wrap in the flow and end with their cause', async ({
      page,
      request,
    }) => {
      test.setTimeout(300_000)
      await apiCaller(request, URL)('demo:remove')
      await page.goto(URL)
      await page.getByTestId('nav-compare').click()
      await expect(page.getByTestId('loading')).toHaveCount(0)
      const header = page.locator('.app-header')
      expect((await header.boundingBox())?.height).toBeLessThanOrEqual(110)
      expect(await isShownWhole(page, '.refresh-state__text')).toBe(true)

      await page.getByTestId('stream-burst').click()
      await expect(page.getByTestId('refresh-cancel')).toBeVisible({ timeout: 60_000 })
      expect(await isShownWhole(page, '[data-testid="refresh-progress"]')).toBe(true)
      expect((await header.boundingBox())?.height).toBeLessThanOrEqual(110)
      expect(await isClickable(page, 'refresh-cancel')).toBe(true)
      await page.screenshot({ path: join(SHOTS, `demo-header-running-${size}.png`) })
      await page.getByTestId('refresh-cancel').click()
      await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'cancelled')

      // The burst note sits in the flow under the header: the view's controls stay clickable.
      await expect(page.getByTestId('stream-note')).toBeVisible()
      expect(await page.getByTestId('stream-note').evaluate((element) => getComputedStyle(element).position)).toBe('static')
      expect(await isClickable(page, 'compare-total-conversions')).toBe(true)
      expect(
        await page
          .locator('.view select')
          .first()
          .evaluate((element) => {
            const box = element.getBoundingClientRect()
            return element.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2))
          }),
      ).toBe(true)

      // A failed request's note stays while its cause lasts and ends when the app answers again.
      bridge?.kill('SIGTERM')
      await new Promise((resolve) => bridge?.once('exit', resolve))
      await page.getByTestId('stream-burst').click()
      await expect(page.getByTestId('stream-error')).toBeVisible()
      expect(await hasHorizontalScroll(page)).toBe(false)
      await page.screenshot({ path: join(SHOTS, `demo-error-note-${size}.png`) })
      bridge = await startOwnBridge(PATH, PORT)
      await expect(page.getByTestId('stream-error')).toHaveCount(0, { timeout: 20_000 })

      await apiCaller(request, URL)('demo:remove')
      expect(existsSync(`${PATH}.demo`)).toBe(false)
    })
  })
}
