import type { LineSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from './channel-colors'
import { MODEL_COLORS } from './chart-style'
import { buildTrendsOption } from './trends-option'
import { TRENDS_BY_CHANNEL, TRENDS_BY_MODEL } from './test-rows'

const seriesOf = (option: ReturnType<typeof buildTrendsOption>) => option.series as LineSeriesOption[]

describe('buildTrendsOption', () => {
  it('has one category per day of the range, including days without points', () => {
    const option = buildTrendsOption(TRENDS_BY_MODEL, { metric: 'conversions', byChannel: false, model: 'last_click' })
    expect(option.xAxis).toMatchObject({ data: ['2026-11-01', '2026-11-02', '2026-11-03'] })
  })

  it('draws one line per model, zero on days without conversions', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_BY_MODEL, { metric: 'conversions', byChannel: false, model: 'last_click' }))
    expect(series.map((line) => [line.name, line.color, line.data])).toEqual([
      ['First click', MODEL_COLORS.first_click, [3, 0, 5]],
      ['Last click', MODEL_COLORS.last_click, [2, 1, 5]],
    ])
  })

  it('plots revenue per day', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_BY_MODEL, { metric: 'revenue', byChannel: false, model: 'last_click' }))
    expect(series[1]?.data).toEqual([20, 9.99, 50.1])
  })

  it('stacks the chosen model by channel, biggest channel first, in channel colours', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_BY_CHANNEL, { metric: 'conversions', byChannel: true, model: 'last_click' }))
    expect(series.map((line) => [line.name, line.color, line.stack, line.data])).toEqual([
      ['direct', channelColor('direct'), 'channels', [4, 2]],
      ['email', channelColor('email'), 'channels', [1, 0]],
    ])
  })

  it('builds no series from no points', () => {
    const empty = { from_date: '2026-11-01', to_date: '2026-11-02', points: [] }
    expect(seriesOf(buildTrendsOption(empty, { metric: 'conversions', byChannel: true, model: 'first_click' }))).toEqual([])
    const byModel = seriesOf(buildTrendsOption(empty, { metric: 'conversions', byChannel: false, model: 'first_click' }))
    expect(byModel.map((line) => line.data)).toEqual([[0, 0], [0, 0]])
  })
})
