import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReportResult } from '@shared/attribution'
import { parseCents, formatCents } from '@shared/money'
import { type AppServices, createAppServices } from '../app-services'
import { projectRoot } from '../paths'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'

const CLI = join(projectRoot(), 'bin', 'attribution.js')

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

type Ga4Row = Record<string, unknown> & {
  event_name: string
  event_timestamp: number
  event_params: Param[]
  event_value_in_usd: number | null
}
type Param = {
  key: string
  value: { string_value: string | null; int_value: number | null; float_value: number | null; double_value: number | null }
}

const param = (key: string, value: Partial<Param['value']>): Param => ({
  key,
  value: { string_value: null, int_value: null, float_value: null, double_value: null, ...value },
})

/**
 * A key event other than the three, as a site sends it: a copy of a real page_view of the shared
 * fixture (same user, session and traffic source), one second later, named generate_lead, with the
 * given event_value_in_usd and `value` / `currency` params.
 */
function leadFrom(pageView: Ga4Row, lead: { eventValueUsd: number | null; value?: Partial<Param['value']>; currency?: string }): Ga4Row {
  const params = pageView.event_params.filter((p) => !['value', 'currency', 'event_id'].includes(p.key))
  if (lead.value) params.push(param('value', lead.value))
  if (lead.currency) params.push(param('currency', { string_value: lead.currency }))
  return {
    ...pageView,
    event_name: 'generate_lead',
    event_timestamp: pageView.event_timestamp + 1_000_000,
    event_params: params,
    event_value_in_usd: lead.eventValueUsd,
  }
}

/** The leads of the test and the revenue the documented rule gives each (docs/assumptions.md, "Revenue"). */
const LEADS = [
  { eventValueUsd: null, value: { double_value: 25.5 }, currency: 'USD', revenueUsd: '25.50' },
  { eventValueUsd: null, value: { int_value: 40 }, currency: 'EUR', revenueUsd: '0.00' },
  { eventValueUsd: null, value: { string_value: '19.99' }, currency: 'USD', revenueUsd: '19.99' },
  { eventValueUsd: 12, value: { double_value: 99 }, currency: 'USD', revenueUsd: '12.00' },
  { eventValueUsd: null, revenueUsd: '0.00' },
] as const

describe.skipIf(!hasGa4Fixtures)('any key event is a conversion (real export rows plus generate_lead)', () => {
  const temp = makeTempDir('key-events')
  const warehouse = join(temp.dir, 'warehouse.duckdb')
  let rows: Ga4Row[] = []
  let services: AppServices | undefined

  beforeAll(() => {
    const all = gunzipSync(readFileSync(GA4_FIXTURES.ndjsonGz))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Ga4Row)
    // A slice of real rows, and leads made from real page views of five different users.
    const slice = all.slice(0, 4000)
    const pageViews = slice.filter((row) => row.event_name === 'page_view' && row.user_pseudo_id)
    const users = [...new Set(pageViews.map((row) => String(row.user_pseudo_id)))].slice(0, LEADS.length)
    const leads = users.map((user, index) =>
      leadFrom(pageViews.find((row) => row.user_pseudo_id === user) as Ga4Row, LEADS[index] as (typeof LEADS)[number]),
    )
    rows = [...slice, ...leads]
    const file = join(temp.dir, 'export.ndjson')
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n')
    const imported = cli(['import', file, '--warehouse', warehouse])
    expect(imported.status, imported.stderr).toBe(0)
  }, 120_000)

  afterAll(async () => {
    await services?.close()
    temp.cleanup()
  })

  it('the CLI refuses a report on an event that is not modelled, naming the command that models it', () => {
    const built = cli(['build', '--warehouse', warehouse])
    expect(built.status, built.stderr).toBe(0)
    const refused = cli(['report', '--model', 'last_click', '--conversion-events', 'generate_lead', '--warehouse', warehouse])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toBe(
      'generate_lead is not modelled as a conversion yet: run `attribution build --conversion-events generate_lead` to model it.\n',
    )
    const absent = cli(['report', '--model', 'last_click', '--conversion-events', 'Generate_Lead', '--warehouse', warehouse])
    expect(absent.status).toBe(1)
    expect(absent.stderr).toMatch(
      /^No event named "Generate_Lead" occurs in the warehouse \(names are case-sensitive\); the most frequent are page_view, /,
    )
    const notAName = cli(['build', '--conversion-events', 'generate-lead', '--warehouse', warehouse])
    expect(notAName.status).toBe(1)
    expect(notAName.stderr).toBe(
      '"generate-lead" is not a GA4 event name: a letter, then letters, digits or underscores, at most 40 characters.\n',
    )
    const buildAbsent = cli(['build', '--conversion-events', 'sign_up', '--warehouse', warehouse])
    expect(buildAbsent.status).toBe(1)
    expect(buildAbsent.stderr).toMatch(/^No event named "sign_up" occurs in the warehouse/)
  }, 300_000)

  it('values a modelled generate_lead by event_value_in_usd, else a USD value param, else 0 (a EUR value gives 0)', () => {
    const built = cli(['build', '--conversion-events', 'generate_lead', '--warehouse', warehouse])
    expect(built.status, built.stderr).toBe(0)
    const report = cli([
      'report',
      '--model',
      'last_click',
      '--conversion-events',
      'generate_lead',
      '--lookback-days',
      '90',
      '--format',
      'json',
      '--warehouse',
      warehouse,
    ])
    expect(report.status, report.stderr).toBe(0)
    const result = JSON.parse(report.stdout) as ReportResult
    expect(result.totals.conversions).toBe(LEADS.length)
    const expectedCents = LEADS.reduce((sum, lead) => sum + parseCents(lead.revenueUsd), 0n)
    expect(result.totals.revenue_usd).toBe(formatCents(expectedCents))
    // purchase stays modelled beside it: the default report still answers.
    expect(cli(['report', '--model', 'last_click', '--warehouse', warehouse]).status).toBe(0)
  }, 300_000)

  it('the API lists the event names with their counts, most frequent first, and which are modelled', async () => {
    services = await createAppServices({ warehousePath: warehouse, autoSetUpDbt: false })
    const answer = await services.handlers['attribution:conversionEvents']({})
    if (!answer.ok) throw new Error(answer.error)
    const counts = new Map<string, number>()
    for (const row of rows) counts.set(row.event_name, (counts.get(row.event_name) ?? 0) + 1)
    const expected = [...counts.entries()]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([name, events]) => ({ name, events, modelled: name === 'purchase' || name === 'generate_lead' }))
    expect(answer.value).toEqual(expected)
    // Views answer for a modelled key event and refuse a name that does not occur.
    const breakdown = await services.handlers['attribution:breakdown']({
      model: 'first_click',
      by: 'channel',
      lookbackDays: 90,
      conversionEvents: ['generate_lead'],
    })
    expect(breakdown).toMatchObject({ ok: true, value: { totals: { conversions: LEADS.length } } })
    const absent = await services.handlers['attribution:breakdown']({
      model: 'first_click',
      by: 'channel',
      lookbackDays: 90,
      conversionEvents: ['sign_up'],
    })
    expect(absent).toMatchObject({ ok: false, error: expect.stringMatching(/^No event named "sign_up" occurs/) })
    const data = await services.handlers['attribution:modelComparison']({
      lookbackDays: 90,
      conversionEvents: ['generate_lead', 'purchase'],
    })
    expect(data.ok).toBe(true)
  }, 120_000)
})
