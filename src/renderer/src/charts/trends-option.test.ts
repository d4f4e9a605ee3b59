import type { YAXisComponentOption, LineSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from './channel-colors'
import { MODELS_AGREE_TEXT, buildTrendsOption } from './trends-option'
import { TRENDS_BY_CHANNEL, TRENDS_MOVED } from './test-rows'

const seriesOf = (option: ReturnType<typeof buildTrendsOption>) => option.series as LineSeriesOption[]
const yAxisOf = (option: ReturnType<typeof buildTrendsOption>) =>
  option.yAxis as YAXisComponentOption & { axisLabel: { formatter: (value: number) => string } }
const byModel = { metric: 'conversions', byChannel: false, model: 'last_click' } as const

describe('buildTrendsOption', () => {
  it('has one category per day of the range, including days without points', () => {
    const option = buildTrendsOption({ ...TRENDS_MOVED, to_date: '2026-11-03' }, byModel)
    expect(option.xAxis).toMatchObject({ data: ['2026-11-01', '2026-11-02', '2026-11-03'] })
  })

  it('by model, draws last click minus first click per channel, leaving out channels the models agree on', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_MOVED, byModel))
    expect(series.map((bars) => [bars.name, bars.type, bars.color, bars.stack, bars.data])).toEqual([
      ['direct', 'bar', channelColor('direct'), 'difference', [2, 0]],
      ['paid_social', 'bar', channelColor('paid_social'), 'difference', [-2, 0]],
    ])
  })

  it('by model, says so on the chart when the models agree on every day', () => {
    const agreeing = { ...TRENDS_MOVED, points: TRENDS_MOVED.points.filter((point) => point.channel === 'email') }
    const option = buildTrendsOption(agreeing, byModel)
    expect(seriesOf(option)).toEqual([])
    expect(option.graphic).toMatchObject([{ style: { text: MODELS_AGREE_TEXT } }])
    expect(buildTrendsOption(TRENDS_MOVED, byModel).graphic).toEqual([])
  })

  it('plots the revenue difference in dollars, with cents on an axis only cents wide', () => {
    const option = buildTrendsOption(TRENDS_MOVED, { ...byModel, metric: 'revenue' })
    expect(seriesOf(option)[0]?.data).toEqual([0.2, 0])
    expect(yAxisOf(option)).toMatchObject({ minInterval: 0.01 })
    expect(yAxisOf(option).axisLabel.formatter(0.05)).toBe('$0.05')
  })

  it('stacks the chosen model by channel, biggest channel first, in channel colours, zero on empty days', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_BY_CHANNEL, { metric: 'conversions', byChannel: true, model: 'last_click' }))
    expect(series.map((line) => [line.name, line.color, line.stack, line.data])).toEqual([
      ['direct', channelColor('direct'), 'channels', [4, 2]],
      ['email', channelColor('email'), 'channels', [1, 0]],
    ])
  })

  it('keeps a flat zero axis when everything is 0, and whole-number ticks for conversions', () => {
    const zero = { ...TRENDS_MOVED, points: TRENDS_MOVED.points.map((point) => ({ ...point, revenue_usd: '0.00' })) }
    const flat = yAxisOf(buildTrendsOption(zero, { metric: 'revenue', byChannel: true, model: 'first_click' }))
    expect(flat).toMatchObject({ min: 0, max: 1, interval: 1 })
    expect([0, 1].map(flat.axisLabel.formatter)).toEqual(['$0', ''])
    expect(yAxisOf(buildTrendsOption(TRENDS_MOVED, byModel))).toMatchObject({ minInterval: 1 })
  })

  it('builds no series from no points', () => {
    const empty = { from_date: '2026-11-01', to_date: '2026-11-02', points: [] }
    expect(seriesOf(buildTrendsOption(empty, { metric: 'conversions', byChannel: true, model: 'first_click' }))).toEqual([])
    expect(seriesOf(buildTrendsOption(empty, byModel))).toEqual([])
  })
})
