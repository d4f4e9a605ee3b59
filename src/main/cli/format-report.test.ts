import { describe, expect, it } from 'vitest'
import type { ReportResult } from '@shared/attribution'
import { CSV_FORMULA_ATTACKS, parseCsv } from '@shared/testing/csv-attacks'
import { formatReport, formatReportComparison, reportContextLines } from './format-report'

// `report --format csv` writes with the app's own CSV writer: UTM sources and mediums never reach a spreadsheet as formulas.
describe('attribution report --format csv', () => {
  const report: ReportResult = {
    model: 'last_click',
    lookback_days: 30,
    conversion_events: ['purchase'],
    by: 'source_medium',
    rows: [
      ...CSV_FORMULA_ATTACKS.map((attack, index) => ({
        source: attack,
        medium: index % 2 === 0 ? 'cpc' : attack,
        conversions: 1,
        revenue_usd: '10.00',
      })),
      { source: 'google', medium: 'cpc', conversions: 2.5, revenue_usd: '-12.50' },
    ],
    totals: { conversions: CSV_FORMULA_ATTACKS.length + 2.5, revenue_usd: '0.00' },
  }

  it('defuses every formula-like source and medium, tab and CR first included, and keeps amounts numbers', () => {
    const [header, ...rows] = parseCsv(formatReport(report, 'csv'))
    expect(header).toEqual(['source', 'medium', 'conversions', 'revenue_usd'])
    expect(rows).toHaveLength(report.rows.length)
    CSV_FORMULA_ATTACKS.forEach((attack, index) => {
      expect(rows[index]?.[0]).toBe(`'${attack}`)
      expect(rows[index]?.[1]).toBe(index % 2 === 0 ? 'cpc' : `'${attack}`)
    })
    expect(rows.at(-1)).toEqual(['google', 'cpc', '2.5', '-12.50'])
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/)
  })
})

describe('attribution report --compare-previous', () => {
  const period = (from_date: string, to_date: string, rows: ReportResult['rows'], totals: ReportResult['totals']) => ({
    model: 'linear' as const,
    lookback_days: 14,
    conversion_events: ['purchase' as const],
    by: 'source_medium' as const,
    rows,
    totals,
    from_date,
    to_date,
  })
  const comparison = {
    current: period('2026-11-01', '2026-11-30', [{ source: 'google', medium: 'cpc', conversions: 3, revenue_usd: '30.00' }], {
      conversions: 3,
      revenue_usd: '30.00',
    }),
    previous: period(
      '2026-10-02',
      '2026-10-31',
      [
        { source: 'google', medium: 'cpc', conversions: 2, revenue_usd: '40.00' },
        { source: 'bing', medium: 'cpc', conversions: 1, revenue_usd: '5.00' },
      ],
      { conversions: 3, revenue_usd: '45.00' },
    ),
  }

  it('lists each group of either period with both periods and the change in percent, empty where the earlier period had none', () => {
    const [header, ...rows] = parseCsv(formatReportComparison(comparison, 'csv'))
    expect(header).toEqual([
      'source',
      'medium',
      'conversions',
      'revenue_usd',
      'previous_conversions',
      'previous_revenue_usd',
      'conversions_change_pct',
      'revenue_change_pct',
    ])
    expect(rows).toEqual([
      ['google', 'cpc', '3', '30.00', '2', '40.00', '50.0', '-25.0'],
      ['bing', 'cpc', '0', '0.00', '1', '5.00', '-100.0', '-100.0'],
    ])
    const table = formatReportComparison(comparison, 'table')
    expect(table.split('\n')[0]).toBe(
      'linear attribution, 14-day lookback, conversions: purchase; 2026-11-01..2026-11-30 against 2026-10-02..2026-10-31',
    )
    expect(table).toMatch(/Total\s+3\s+30\.00\s+3\s+45\.00\s+0\.0\s+-33\.3/)
    expect(JSON.parse(formatReportComparison(comparison, 'json'))).toEqual(comparison)
  })
})

describe('attribution report --format csv for spreadsheets and pandas', () => {
  it('rounds fractional conversions to 6 decimals at most and keeps cents', () => {
    const report: ReportResult = {
      model: 'linear',
      lookback_days: 14,
      conversion_events: ['purchase'],
      by: 'channel',
      rows: [{ channel: 'Email', conversions: 1 / 3 + 0.1 + 0.2, revenue_usd: '12.50' }],
      totals: { conversions: 1, revenue_usd: '12.50' },
    }
    expect(formatReport(report, 'csv')).toBe('channel,conversions,revenue_usd\r\nEmail,0.633333,12.50\r\n')
  })

  it('writes --context as # lines with the dates the numbers cover, and nothing without it', () => {
    const lines = reportContextLines({
      model: 'linear',
      lookbackDays: 14,
      conversionEvents: ['purchase', 'add_to_cart'],
      by: 'channel',
      fromDate: '2020-11-01',
      toDate: '2021-01-31',
      exportedAt: '2026-12-06T19:00:00.000Z',
    })
    expect(lines.split('\r\n')).toEqual([
      '# view: report',
      '# model: linear',
      '# lookback_days: 14',
      '# conversion_events: purchase add_to_cart',
      '# by: channel',
      '# dates: 2020-11-01 to 2021-01-31',
      '# exported_at: 2026-12-06T19:00:00.000Z',
      '',
    ])
  })
})
