import { describe, expect, it } from 'vitest'
import type { ReportResult } from '../../shared/attribution'
import { CSV_FORMULA_ATTACKS, parseCsv } from '../../shared/testing/csv-attacks'
import { formatReport } from './format-report'

// `report --format csv` writes with the app's own CSV writer: UTM sources and mediums never reach a spreadsheet as formulas.
describe('attribution report --format csv', () => {
  const report: ReportResult = {
    model: 'last_click',
    lookback_days: 30,
    conversion_events: ['purchase'],
    by: 'source_medium',
    rows: [
      ...CSV_FORMULA_ATTACKS.map((attack, index) => ({ source: attack, medium: index % 2 === 0 ? 'cpc' : attack, conversions: 1, revenue_usd: '10.00' })),
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
