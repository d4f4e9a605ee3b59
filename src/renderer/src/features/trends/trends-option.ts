import type { TrendPoint, TrendsResult } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import type { BarSeriesOption, EChartsOption, LineSeriesOption } from 'echarts'
import { datesBetween } from './dates'
import { roundCredit } from '@renderer/lib/comparison'
import { formatConversionsPrecise, formatSignedConversions, formatUsdWithCents } from '@renderer/lib/format'
import { channelColor } from '@renderer/charts/channel-colors'
import { CHART_FONT, CHART_GRID_LINE, CHART_MUTED, CHART_TEXT, type ChartMetric, chartAmount } from '@renderer/charts/chart-style'
import { extentOf, valueAxisScale, valueAxisOption } from '@renderer/charts/value-axis'

/** What the trends chart shows: which number, and either the two models' difference or one model split by channel. */
export interface TrendsView {
  metric: ChartMetric
  byChannel: boolean
  /** The model split by channel when `byChannel`; ignored otherwise. */
  model: AttributionModel
  /** The compared pair: "by model" draws the second minus the first. */
  models: readonly [AttributionModel, AttributionModel]
  /** The pair's names, for the note when they agree. */
  names: readonly [string, string]
}

/** Said on the chart when the two models credit every day's conversions to the same channels. */
export function modelsAgreeText(names: readonly [string, string]): string {
  return `${names[0]} and ${names[1]} credit the same channels on every day shown.`
}

/**
 * Per day, either one model's conversions stacked by channel, or (by model) the second model minus the
 * first per channel: every model credits each conversion once in total, so their daily totals are equal
 * and only the split by channel can differ. Days without conversions plot 0.
 */
export function buildTrendsOption(trends: TrendsResult, view: TrendsView): EChartsOption {
  const dates = datesBetween(trends.from_date, trends.to_date)
  const valueOf = (point: TrendPoint) => (view.metric === 'conversions' ? point.conversions : chartAmount(point.revenue_usd))
  // Sums here are for drawing only (tables and totals use exact cents): credit to its 6 decimals, revenue to cents.
  const roundValue = view.metric === 'conversions' ? roundCredit : (value: number) => Math.round(value * 100) / 100
  const daily = (points: readonly TrendPoint[], sign = 1): number[] => {
    const byDate = new Map<string, number>()
    for (const point of points) byDate.set(point.date, (byDate.get(point.date) ?? 0) + sign * valueOf(point))
    return dates.map((date) => byDate.get(date) ?? 0)
  }
  const channelPoints = trends.points.filter((point) => point.channel !== undefined)
  const channelsOf = (points: readonly TrendPoint[]) => [...new Set(points.map((point) => point.channel ?? ''))]
  // Biggest channel first (bottom of the stack, first in the legend), ties by name.
  const bySize = (sizes: Map<string, number>) =>
    [...sizes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([channel]) => channel)

  let series: Array<LineSeriesOption | BarSeriesOption>
  let extent: number
  let isAgreement = false
  if (view.byChannel) {
    const points = channelPoints.filter((point) => point.model === view.model)
    const lines = new Map(
      channelsOf(points).map((channel) => [channel, daily(points.filter((point) => point.channel === channel)).map(roundValue)]),
    )
    const channels = bySize(new Map([...lines].map(([channel, values]) => [channel, values.reduce((sum, value) => sum + value, 0)])))
    series = channels.map((channel) => ({
      type: 'line',
      name: channel,
      color: channelColor(channel),
      stack: 'channels',
      symbol: 'none',
      lineStyle: { width: 1.5 },
      areaStyle: { opacity: 0.35 },
      emphasis: { focus: 'series' },
      data: lines.get(channel) ?? [],
    }))
    extent = extentOf(dates.map((_, day) => channels.reduce((sum, channel) => sum + (lines.get(channel)?.[day] ?? 0), 0)))
  } else {
    const differences = new Map<string, number[]>()
    for (const channel of channelsOf(channelPoints)) {
      const first = daily(channelPoints.filter((point) => point.channel === channel && point.model === view.models[0]))
      const second = daily(channelPoints.filter((point) => point.channel === channel && point.model === view.models[1]))
      const values = second.map((value, day) => roundValue(value - (first[day] ?? 0)))
      // A channel both models credit alike on every day adds nothing but a legend entry.
      if (values.some((value) => value !== 0)) differences.set(channel, values)
    }
    const channels = bySize(new Map([...differences].map(([channel, values]) => [channel, extentOf(values)])))
    series = channels.map((channel) => ({
      type: 'bar',
      name: channel,
      color: channelColor(channel),
      stack: 'difference',
      barMaxWidth: 28,
      emphasis: { focus: 'series' },
      data: differences.get(channel) ?? [],
    }))
    const sideSum = (day: number, sign: 1 | -1) =>
      channels.reduce((sum, channel) => sum + Math.max(0, sign * (differences.get(channel)?.[day] ?? 0)), 0)
    extent = extentOf(dates.flatMap((_, day) => [sideSum(day, 1), sideSum(day, -1)]))
    isAgreement = dates.length > 0 && channels.length === 0
  }

  const scale = valueAxisScale(view.metric, extent)
  const formatValue = (value: unknown): string => {
    if (typeof value !== 'number') return ''
    if (view.metric === 'conversions')
      return view.byChannel ? formatConversionsPrecise(value) : formatSignedConversions(value, { isPrecise: true })
    return !view.byChannel && value > 0 ? `+${formatUsdWithCents(value)}` : formatUsdWithCents(value)
  }
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 14, itemHeight: 10, textStyle: { color: CHART_MUTED } },
    tooltip: { trigger: 'axis', valueFormatter: formatValue },
    grid: { left: 4, right: 16, top: 36, bottom: 4, containLabel: true },
    graphic: isAgreement
      ? [{ type: 'text', left: 'center', top: 'middle', style: { text: modelsAgreeText(view.names), fill: CHART_MUTED, fontSize: 13 } }]
      : [],
    xAxis: {
      type: 'category',
      // Bars sit between ticks; areas run edge to edge.
      boundaryGap: !view.byChannel,
      data: dates,
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_MUTED, formatter: (value: string) => value.slice(5) },
    },
    yAxis: valueAxisOption(scale),
    series,
  }
}
