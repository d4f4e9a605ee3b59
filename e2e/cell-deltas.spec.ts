/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { ChildProcess } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { apiCaller, startOwnBridge } from './own-bridge'
import { E2E_DIR, ROOT, WAREHOUSES, cli, e2ePort, hasFixture } from './warehouses'

// After a burst in the demo copy, every changed number is highlighted with its delta, equal to the CLI's difference.
const PORT = e2ePort(40)
const URL = `http://127.0.0.1:${PORT}/`
const PATH = join(E2E_DIR, 'cell-deltas.duckdb')
const SANDBOX = join(`${PATH}.demo`, 'demo.duckdb')
const SHOTS = join(ROOT, 'test-results', 'screenshots')
const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
]
let bridge: ChildProcess | undefined

/** Conversions per channel the CLI reports for a model with the views' defaults (14 days, purchase). */
function cliChannels(path: string, model: string): Map<string, number> {
  const report = JSON.parse(cli(['report', '--warehouse', path, '--model', model, '--lookback-days', '14', '--format', 'json'])) as {
    rows: Array<{ channel: string; conversions: number }>
  }
  return new Map(report.rows.map((row) => [row.channel, row.conversions]))
}

/** after - before per channel, rounded as the app writes deltas (2 decimals), changes only. */
function differences(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const channel of new Set([...before.keys(), ...after.keys()])) {
    const delta = Math.round(((after.get(channel) ?? 0) - (before.get(channel) ?? 0)) * 100) / 100
    if (Math.abs(delta) >= 0.005) out[channel] = delta
  }
  return out
}

/** "+1", "−0.5" as a number. */
const parseDelta = (text: string) => Number(text.replace('−', '-').replace(/[+,]/g, ''))

/** The highlighted conversions cells of the Compare table: channel -> delta, for model a and model b. */
function highlightedCompareCells(page: Page): Promise<{ a: Record<string, string>; b: Record<string, string> }> {
  return page.evaluate(() => {
    const out = { a: {} as Record<string, string>, b: {} as Record<string, string> }
    for (const row of document.querySelectorAll('[data-testid="compare-row"]')) {
      const channel = row.querySelector('[data-testid="channel"]')?.textContent ?? ''
      const a = row.querySelector('[data-testid="a-conversions"]')?.getAttribute('data-delta')
      const b = row.querySelector('[data-testid="b-conversions"]')?.getAttribute('data-delta')
      if (a) out.a[channel] = a
      if (b) out.b[channel] = b
    }
    return out
  })
}

async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('loading')).toHaveCount(0)
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

    test('a burst highlights each changed cell with its delta, equal to the CLI report before and after', async ({ page, request }) => {
      test.setTimeout(300_000)
      const api = apiCaller(request, URL)
      await api('demo:remove')
      await api('demo:enter')
      const before = { first: cliChannels(SANDBOX, 'first_click'), last: cliChannels(SANDBOX, 'last_click') }

      await page.goto(URL)
      // The views seen before the burst: their numbers are the baseline the deltas are taken from.
      await page.getByTestId('nav-paths').click()
      await expect(page.getByTestId('paths-total-conversions')).toBeVisible({ timeout: 30_000 })
      await settled(page)
      await page.getByTestId('nav-models').click()
      await expect(page.getByTestId('models-row').first()).toBeVisible({ timeout: 30_000 })
      await settled(page)
      await page.getByTestId('nav-compare').click()
      await expect(page.getByTestId('compare-row').first()).toBeVisible({ timeout: 30_000 })
      await settled(page)
      await expect(page.locator('[data-delta]')).toHaveCount(0)
      if (viewport.width === 1280) await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'demo-cells-before.png') })

      await page.getByTestId('stream-burst').click()
      await expect(page.locator('[data-testid="compare-table"] [data-delta]').first()).toBeVisible({ timeout: 120_000 })
      await expect(page.getByTestId('refresh-state')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 })
      const shown = await highlightedCompareCells(page)
      await page.screenshot({ path: join(SHOTS, `cell-deltas-compare-${size}.png`) })
      if (viewport.width === 1280) await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'demo-cells-after.png') })

      // The other view seen before shows its changed cells too, for the same few seconds; still under reduced motion.
      await page.emulateMedia({ reducedMotion: 'reduce' })
      await page.getByTestId('nav-models').click()
      const modelCell = page.locator('[data-testid="models-cell"][data-model="first_click"] [data-delta]').first()
      await expect(modelCell).toBeVisible({ timeout: 30_000 })
      expect(await modelCell.evaluate((element) => getComputedStyle(element).animationName)).toBe('none')
      expect(await modelCell.evaluate((element) => getComputedStyle(element, '::after').content)).toMatch(/^"[+−]/)
      const shownModels = await page.evaluate(() => {
        const out: Record<string, string> = {}
        for (const row of document.querySelectorAll('[data-testid="models-row"]')) {
          const channel = row.querySelector('[data-testid="channel"]')?.textContent ?? ''
          const delta = row.querySelector('[data-testid="models-cell"][data-model="last_click"] [data-delta]')?.getAttribute('data-delta')
          if (delta) out[channel] = delta
        }
        return out
      })
      await page.screenshot({ path: join(SHOTS, `cell-deltas-models-${size}.png`) })
      // Conversion paths (last click by channel): the total's delta, read while the highlights last.
      await page.getByTestId('nav-paths').click()
      const pathsTotal = page.getByTestId('paths-total-conversions')
      await expect(pathsTotal).toBeVisible({ timeout: 30_000 })
      await settled(page)
      const pathsDelta = await pathsTotal.getAttribute('data-delta')
      await page.screenshot({ path: join(SHOTS, `cell-deltas-paths-${size}.png`) })

      // Each highlighted delta is the CLI's after minus before, and every change the CLI sees is highlighted.
      const after = { first: cliChannels(SANDBOX, 'first_click'), last: cliChannels(SANDBOX, 'last_click') }
      const expectedFirst = differences(before.first, after.first)
      const expectedLast = differences(before.last, after.last)
      expect(Object.keys(expectedFirst).length + Object.keys(expectedLast).length).toBeGreaterThan(0)
      const asNumbers = (cells: Record<string, string>) =>
        Object.fromEntries(Object.entries(cells).map(([channel, text]) => [channel, parseDelta(text)]))
      expect(asNumbers(shown.a)).toEqual(expectedFirst)
      expect(asNumbers(shown.b)).toEqual(expectedLast)
      expect(asNumbers(shownModels)).toEqual(expectedLast)
      const total = (conversions: Map<string, number>) => [...conversions.values()].reduce((sum, value) => sum + value, 0)
      const totalChange = Math.round((total(after.last) - total(before.last)) * 100) / 100
      expect(pathsDelta === null ? 0 : parseDelta(pathsDelta)).toBe(totalChange)

      // They fade: after the few seconds, no cell is highlighted any more.
      await expect(page.locator('[data-delta]')).toHaveCount(0, { timeout: 20_000 })
      await page.emulateMedia({ reducedMotion: 'no-preference' })
    })
  })
}
