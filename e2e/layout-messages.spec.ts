import { type ChildProcess, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Locator, type Page, expect, test } from '@playwright/test'
import { ATTRIBUTION_MODELS } from '@shared/attribution'
import { startOwnBridge } from './own-bridge'
import { E2E_DIR, ROOT, WAREHOUSES, type WarehouseName, cli, cliReport, e2ePort, hasFixture } from './warehouses'

// Issue 25 items 6-13: layout and messages, at the two window sizes people use.
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots', 'layout-messages')
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
] as const
const OFFLINE = 'BigQuery cannot be reached: getaddrinfo ENOTFOUND bigquery.googleapis.com'
const LOOKBACK_DAYS = 14

type View = 'compare' | 'models' | 'trends' | 'channels' | 'settings'

async function open(page: Page, warehouse: WarehouseName, view: View): Promise<void> {
  await page.goto(`http://127.0.0.1:${WAREHOUSES[warehouse].port}/`)
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page.getByTestId('loading')).toHaveCount(0)
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const size = page.viewportSize()
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size?.width}x${size?.height}.png`) })
}

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox()
  expect(found, 'element has a box').not.toBeNull()
  return found as NonNullable<typeof found>
}

/** The app's one-decimal display of a credit (as formatConversions shows it), for comparing with the CLI. */
const oneDecimal = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1))

for (const size of SIZES) {
  test.describe(`at ${size.width} x ${size.height}`, () => {
    test.use({ viewport: size })

    test('6: the connection-test result shows where its button is', async ({ page }) => {
      await page.route('**/api/settings:testConnection', (route) => route.fulfill({ json: { ok: false, error: OFFLINE } }))
      await open(page, 'generated', 'settings')
      const button = page.getByTestId('settings-test')
      await button.click()
      const result = page.getByTestId('settings-test-result')
      await expect(result).toContainText(OFFLINE)
      await expect(result).toBeInViewport({ ratio: 1 })
      await expect(button).toBeInViewport()
      // Right under the button, not in another column below the fold.
      const [buttonBox, resultBox] = [await box(button), await box(result)]
      expect(resultBox.y).toBeGreaterThanOrEqual(buttonBox.y + buttonBox.height - 1)
      expect(resultBox.y - (buttonBox.y + buttonBox.height)).toBeLessThan(80)
      await shot(page, 'connection-test')
    })

    test('7: the Channels drill-down shows Share and Revenue without a sideways scroll, equal to the CLI', async ({ page }) => {
      test.skip(!hasFixture, 'needs the shared GA4 fixture')
      await open(page, 'fixture', 'channels')
      const channel = (await page.getByTestId('channels-row').first().getByTestId('channel').innerText()).trim()
      await page.getByTestId('channels-row').first().click()
      await expect(page.getByTestId('channels-breadcrumb')).toContainText(channel)
      await expect(page.getByTestId('loading')).toHaveCount(0)
      for (const testid of ['channels-share-header', 'channels-revenue-header'])
        await expect(page.getByTestId(testid)).toBeInViewport({ ratio: 1 })
      const wrap = page.getByTestId('channels-table').locator('xpath=..')
      const overflow = await wrap.evaluate((element) => element.scrollWidth - element.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      const report = cliReport('fixture', { model: 'last_click', lookbackDays: LOOKBACK_DAYS, by: 'source_medium', channel })
      await expect(page.getByTestId('channels-row')).toHaveCount(report.rows.length)
      await expect(page.getByTestId('channels-total-conversions')).toHaveText(oneDecimal(report.totals.conversions))
      await expect(page.getByTestId('channels-total-revenue')).toHaveText(
        `$${Number(report.totals.revenue_usd).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
      )
      await shot(page, 'channels-drill-down')
    })

    test('8: the lookback note sits beside the field and covers no stream control', async ({ page }) => {
      await open(page, 'generated', 'compare')
      const input = page.getByTestId('lookback-input')
      await input.fill('120')
      await input.blur()
      const note = page.getByTestId('lookback-problem')
      await expect(note).toHaveText('1–90 whole days: set to 90')
      const [inputBox, noteBox] = [await box(input), await box(note)]
      // Same row as the field, beside it.
      expect(Math.abs(noteBox.y + noteBox.height / 2 - (inputBox.y + inputBox.height / 2))).toBeLessThan(6)
      expect(noteBox.x + noteBox.width).toBeLessThanOrEqual(inputBox.x + 1)
      const burst = page.getByTestId('stream-burst')
      if ((await burst.count()) > 0 && (await burst.isVisible())) {
        const burstBox = await box(burst)
        const overlaps =
          noteBox.x < burstBox.x + burstBox.width &&
          burstBox.x < noteBox.x + noteBox.width &&
          noteBox.y < burstBox.y + burstBox.height &&
          burstBox.y < noteBox.y + noteBox.height
        expect(overlaps).toBe(false)
        // The click lands on the button itself, not on the note.
        const [x, y] = [burstBox.x + burstBox.width / 2, burstBox.y + burstBox.height / 2]
        const hit = await page.evaluate<string | null>(
          `document.elementFromPoint(${x}, ${y})?.closest('[data-testid]')?.getAttribute('data-testid') ?? null`,
        )
        expect(hit).toBe('stream-burst')
      }
      await shot(page, 'lookback-note')
    })

    test('9: empty and zero-revenue charts say why, titled by their dates, hinting only what helps', async ({ page }) => {
      await open(page, 'generated', 'trends')
      await page.getByTestId('date-from').fill('2030-01-01')
      await page.getByTestId('date-to').fill('2030-01-02')
      await page.getByTestId('date-to').dispatchEvent('change')
      await expect(page.getByTestId('loading')).toHaveCount(0)
      const chart = page.getByTestId('trends-chart')
      await expect(page.getByTestId('view-trends').locator('.view-header__title')).toHaveText('1 Jan – 2 Jan 2030')
      await expect(chart).toContainText('Try a longer lookback, more conversion events or a wider date range.')
      await page.getByTestId('lookback-input').fill('90')
      await page.getByTestId('lookback-input').blur()
      await expect(chart).toContainText('Try more conversion events or a wider date range.')
      await shot(page, 'trends-empty')

      // A warehouse whose conversions carry no value: the revenue chart says so instead of staying blank.
      await page.route('**/api/attribution:breakdown', async (route) => {
        const response = await route.fetch()
        const body = (await response.json()) as {
          ok: boolean
          value?: { rows: Array<{ revenue_usd: string }>; totals: { revenue_usd: string } }
        }
        if (body.ok && body.value) {
          for (const row of body.value.rows) row.revenue_usd = '0.00'
          body.value.totals.revenue_usd = '0.00'
        }
        await route.fulfill({ response, json: body })
      })
      await page.getByTestId('date-from').fill('')
      await page.getByTestId('date-to').fill('')
      await page.getByTestId('date-to').dispatchEvent('change')
      await page.getByTestId('nav-channels').click()
      await expect(page.getByTestId('loading')).toHaveCount(0)
      await page.getByTestId('channels-metric-revenue').click()
      await expect(page.getByTestId('channels-chart')).toContainText('No revenue for these filters')
      await expect(page.getByTestId('channels-chart')).toContainText('switch Metric to Conversions')
      await shot(page, 'channels-zero-revenue')
    })

    test('9: an outside `generate` reads "generated", not "imported"', async ({ page }) => {
      let calls = 0
      await page.route('**/api/stream:status', async (route) => {
        const response = await route.fetch()
        const body = (await response.json()) as { ok: boolean; value?: Record<string, unknown> }
        calls += 1
        const change = {
          id: 900,
          noticedAt: new Date().toISOString(),
          importedEvents: 5671,
          streamedEvents: 0,
          importedFiles: 0,
          modelsBuiltAt: null,
        }
        await route.fulfill({ response, json: body.ok ? { ...body, value: { ...body.value, outsideChange: change } } : body })
      })
      await open(page, 'generated', 'compare')
      await expect(page.getByTestId('outside-change-text')).toHaveText(/^Outside change: 5,671 events generated/)
      expect(calls).toBeGreaterThan(0)
      await shot(page, 'outside-generated')
    })

    test('11: a skip link comes first, then the views, the filters and the view', async ({ page }) => {
      // A fresh page: Tab starts from the top of the document.
      await page.goto(`http://127.0.0.1:${WAREHOUSES.generated.port}/`)
      await expect(page.getByTestId('view-compare')).toBeVisible()
      await expect(page.getByTestId('loading')).toHaveCount(0)
      await page.keyboard.press('Tab')
      const skip = page.getByTestId('skip-to-view')
      await expect(skip).toBeFocused()
      await expect(skip).toBeInViewport()
      await shot(page, 'skip-link')
      await page.keyboard.press('Enter')
      await expect(page.getByTestId('view-main')).toBeFocused()
      await page.keyboard.press('Tab')
      expect(await page.evaluate<boolean>(`Boolean(document.activeElement?.closest('#view'))`)).toBe(true)

      // From the top: the skip links, then every sidebar item, then the filters, then the view.
      await page.reload()
      await expect(page.getByTestId('loading')).toHaveCount(0)
      const regions: string[] = []
      for (let step = 0; step < 40; step += 1) {
        await page.keyboard.press('Tab')
        const region = await page.evaluate<string>(`(() => {
          const active = document.activeElement
          if (!active) return 'none'
          if (active.closest('.skip-links')) return 'skip'
          if (active.closest('.sidebar')) return 'sidebar'
          if (active.closest('.app-header')) return 'header'
          if (active.closest('#view')) return 'main'
          return 'other'
        })()`)
        if (regions.at(-1) !== region) regions.push(region)
        if (region === 'main') break
      }
      expect(regions.filter((region) => region !== 'other')).toEqual(['skip', 'sidebar', 'header', 'main'])
    })

    test('12: data-driven credit to channels on no converting path is explained where it shows', async ({ page }) => {
      test.skip(!hasFixture, 'needs the shared GA4 fixture')
      // Which channels only data-driven credits, from the CLI: credit under data_driven, none under every rule-based model.
      const byModel = Object.fromEntries(
        ATTRIBUTION_MODELS.map((model) => [
          model,
          Object.fromEntries<number>(
            cliReport('fixture', { model, lookbackDays: LOOKBACK_DAYS }).rows.map((row) => [row.channel ?? '', row.conversions]),
          ),
        ]),
      )
      const markovOnly = Object.entries<number>(byModel.data_driven ?? {})
        .filter(
          ([channel, credit]) =>
            credit > 0 && ATTRIBUTION_MODELS.every((model) => model === 'data_driven' || !(byModel[model]?.[channel] ?? 0)),
        )
        .sort((a, b) => b[1] - a[1])
      expect(markovOnly.length).toBeGreaterThan(0)
      await open(page, 'fixture', 'models')
      const note = page.getByTestId('models-markov-note')
      for (const [channel, credit] of markovOnly) await expect(note).toContainText(`${channel} (${oneDecimal(credit)})`)
      await expect(note).toContainText('Markov chain over all journeys')
      await expect(note).toBeInViewport()
      await shot(page, 'models-markov-note')
    })

    test('13: the CSV opens cleanly: # context lines, rounded numbers, percent changes, actual dates, equal to the CLI', async ({
      page,
    }) => {
      await open(page, 'generated', 'models')
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').first().click()])
      expect(download.suggestedFilename()).not.toContain('latest')
      const text = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '')
      const lines = text.split('\r\n').filter((line) => line !== '')
      const context = lines.filter((line) => line.startsWith('#'))
      expect(context[0]).toBe('# view: models')
      expect(context).toContainEqual(expect.stringMatching(/^# dates: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/))
      // As pandas reads it with comment='#': the context lines first, then a plain table.
      const table = lines.slice(context.length).map((line) => line.split(','))
      expect(lines.slice(0, context.length)).toEqual(context)
      const [header = [], ...rows] = table
      expect(header.filter((title) => title.includes('change'))).not.toHaveLength(0)
      for (const title of header.filter((title) => title.includes('change'))) expect(title).toMatch(/_change_pct_vs_last_click$/)
      for (const [index, title] of header.entries()) {
        for (const row of rows) {
          const cell = row[index] ?? ''
          if (title.endsWith('_usd')) expect(cell).toMatch(/^-?\d+\.\d{2}$/)
          else if (title.endsWith('_conversions')) expect(cell).toMatch(/^-?\d+(\.\d{1,6})?$/)
          else if (title.includes('_pct_')) expect(cell).toMatch(/^(-?\d+\.\d)?$/)
        }
      }
      // Every number equals the CLI's own CSV of the same model.
      for (const model of ['linear', 'last_click'] as const) {
        const cliCsv = cli([
          'report',
          '--warehouse',
          WAREHOUSES.generated.path,
          '--model',
          model,
          '--lookback-days',
          String(LOOKBACK_DAYS),
          '--format',
          'csv',
        ])
        expect(cliCsv.startsWith('channel,')).toBe(true)
        const cliRows = cliCsv
          .trim()
          .split('\r\n')
          .slice(1)
          .map((line) => line.split(','))
        const [conversions, revenue] = [header.indexOf(`${model}_conversions`), header.indexOf(`${model}_revenue_usd`)]
        for (const [channel, cliConversions, cliRevenue] of cliRows) {
          const row = rows.find((cells) => cells[0] === channel)
          expect(row?.[conversions], `${model} ${channel}`).toBe(cliConversions)
          expect(row?.[revenue], `${model} ${channel}`).toBe(cliRevenue)
        }
      }
      // The CLI stays plain for pipes; --context adds the same kind of lines.
      const withContext = cli(['report', '--warehouse', WAREHOUSES.generated.path, '--model', 'linear', '--format', 'csv', '--context'])
      expect(withContext.split('\r\n')[0]).toBe('# view: report')
      expect(withContext).toMatch(/# dates: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\r\n/)
      const refused = spawnSync(
        process.execPath,
        [join(ROOT, 'bin', 'attribution.js'), 'report', '--warehouse', WAREHOUSES.generated.path, '--model', 'linear', '--context'],
        { encoding: 'utf8' },
      )
      expect(refused.status).not.toBe(0)
      expect(refused.stderr).toContain('--context goes with --format csv')
    })
  })
}

test.describe('10: progress wording', () => {
  // A warehouse of this spec's own: the shared empty one is filled by the first-run spec.
  const path = join(E2E_DIR, 'layout-messages-empty', 'warehouse.duckdb')
  const port = e2ePort(30)
  let bridge: ChildProcess | undefined
  test.beforeAll(async () => {
    rmSync(join(path, '..'), { recursive: true, force: true })
    mkdirSync(join(path, '..'), { recursive: true })
    bridge = await startOwnBridge(path, port)
  })
  test.afterAll(() => {
    bridge?.kill('SIGTERM')
  })
  test.use({ viewport: { width: 1280, height: 720 } })

  test('a build never starts with "Finishing the run" and never says "Built build info"', async ({ page }) => {
    test.setTimeout(300_000)
    // Every message the progress bar shows, in order, however briefly.
    await page.addInitScript(`window.__progress = [];
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=job-progress-message]')?.textContent?.trim()
        if (text && window.__progress.at(-1) !== text) window.__progress.push(text)
      }).observe(document, { subtree: true, childList: true, characterData: true })`)
    await page.goto(`http://127.0.0.1:${port}/`)
    await page.getByTestId('generate-sample').click()
    await expect(page.getByTestId('job-progress-message')).toHaveText(/^(Preparing|Building|Built|Loading|Loaded|Checking|Checked)/, {
      timeout: 240_000,
    })
    await shot(page, 'build-progress')
    await expect(page.getByTestId('view-compare')).toBeVisible({ timeout: 240_000 })
    const messages = await page.evaluate<string[]>('window.__progress')
    const steps = messages.filter((message) => /\(\d+ of \d+\)$/.test(message))
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.filter((message) => message.startsWith('Finishing the run'))).toEqual([])
    expect(steps.filter((message) => /build info/.test(message))).toEqual([])
  })
})
