import type { CostCell, CostReturnRow, CostTrendDay } from '@shared/cost-return'
import type { BarSeriesOption, LineSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { MODEL_COLORS } from '@renderer/charts/chart-style'
import { ROAS_CHART_MAX_GROUPS, buildRoasByModelOption, buildRoasTrendOption } from './cost-return-option'

const MODELS = [
  { id: 'first_click', name: 'First click' },
  { id: 'last_click', name: 'Last click' },
] as const
const cell = (roas: string | null): CostCell => ({
  conversions: 1,
  revenue_usd: '1.00',
  cost_per_conversion_usd: null,
  roas,
  roas_change: null,
  conversions_change: 0,
})
const row = (channel: string, cost: string, first: string | null, last: string | null): CostReturnRow => ({
  channel,
  cost_usd: cost,
  cells: { first_click: cell(first), last_click: cell(last) },
})

describe('buildRoasByModelOption', () => {
  it('draws one bar per model for each row with cost, in table order, and leaves out rows without cost', () => {
    const rows = [row('Paid Search', '50.00', '1.00', '0.00'), row('Email', '0.00', null, null), row('Display', '10.00', '3.19', '2.57')]
    const option = buildRoasByModelOption(rows, MODELS, (entry) => entry.channel)
    expect(option.xAxis).toMatchObject({ data: ['Paid Search', 'Display'] })
    expect((option.series as BarSeriesOption[]).map((bars) => [bars.name, bars.color, bars.data])).toEqual([
      ['First click', MODEL_COLORS.first_click, [1, 3.19]],
      ['Last click', MODEL_COLORS.last_click, [0, 2.57]],
    ])
    const format = (option.tooltip as { valueFormatter: (value: unknown) => string }).valueFormatter
    expect(format(1.666)).toBe('1.67×')
    expect(format(null)).toBe('—')
  })

  it('shows at most the first groups', () => {
    const rows = Array.from({ length: ROAS_CHART_MAX_GROUPS + 3 }, (_, index) => row(`C${index}`, '1.00', '1.00', '1.00'))
    const option = buildRoasByModelOption(rows, MODELS, (entry) => entry.channel)
    expect((option.xAxis as { data: string[] }).data).toHaveLength(ROAS_CHART_MAX_GROUPS)
  })
})

describe('buildRoasTrendOption', () => {
  it("draws each model's daily ROAS, with a gap on a day without cost", () => {
    const days: CostTrendDay[] = [
      {
        date: '2026-11-02',
        cost_usd: '30.00',
        models: { first_click: { revenue_usd: '50.00', roas: '1.67' }, last_click: { revenue_usd: '0.00', roas: '0.00' } },
      },
      {
        date: '2026-11-03',
        cost_usd: '0.00',
        models: { first_click: { revenue_usd: '9.00', roas: null }, last_click: { revenue_usd: '0.00', roas: null } },
      },
    ]
    const option = buildRoasTrendOption(days, MODELS)
    expect(option.xAxis).toMatchObject({ data: ['2026-11-02', '2026-11-03'] })
    expect((option.series as LineSeriesOption[]).map((line) => [line.name, line.data])).toEqual([
      ['First click', [1.67, null]],
      ['Last click', [0, null]],
    ])
  })
})
