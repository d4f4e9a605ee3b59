import type { TrendsResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel } from '@shared/attribution'
import type { EChartsOption, LineSeriesOption } from 'echarts'
import { datesBetween } from '../lib/dates'
import { formatInteger, formatUsdShort, modelLabel } from '../lib/format'
import { channelColor } from './channel-colors'
import { CHART_FONT, CHART_GRID_LINE, CHART_MUTED, CHART_TEXT, type ChartMetric, MODEL_COLORS, chartAmount } from './chart-style'

/** What the trends chart shows: which number, and either both models or one model split by channel. */
export interface TrendsView {
  metric: ChartMetric
  byChannel: boolean
  /** The model split by channel when `byChannel`; ignored otherwise. */
  model: AttributionModel
}

/** Lines per day: one per model, or stacked areas per channel of one model; days without conversions plot 0. */
export function buildTrendsOption(trends: TrendsResult, view: TrendsView): EChartsOption {
  const dates = datesBetween(trends.from_date, trends.to_date)
  const valueOf = (point: TrendsResult['points'][number]) =>
    view.metric === 'conversions' ? point.conversions : chartAmount(point.revenue_usd)
  const daily = (points: TrendsResult['points']): number[] => {
    const byDate = new Map<string, number>()
    for (const point of points) byDate.set(point.date, (byDate.get(point.date) ?? 0) + valueOf(point))
    // Revenue sums here are for drawing only; tables and totals use exact cents.
    return dates.map((date) => Math.round((byDate.get(date) ?? 0) * 100) / 100)
  }

  let series: LineSeriesOption[]
  if (!view.byChannel) {
    series = ATTRIBUTION_MODELS.map((model) => ({
      type: 'line',
      name: modelLabel(model),
      color: MODEL_COLORS[model],
      symbol: 'circle',
      symbolSize: 6,
      lineStyle: { width: 2.5 },
      data: daily(trends.points.filter((point) => point.model === model)),
    }))
  } else {
    const points = trends.points.filter((point) => point.model === view.model && point.channel !== undefined)
    const totals = new Map<string, number>()
    for (const point of points) totals.set(point.channel ?? '', (totals.get(point.channel ?? '') ?? 0) + valueOf(point))
    // Biggest channel at the bottom of the stack, where its shape is easiest to read.
    const channels = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([channel]) => channel)
    series = channels.map((channel) => ({
      type: 'line',
      name: channel,
      color: channelColor(channel),
      stack: 'channels',
      symbol: 'none',
      lineStyle: { width: 1.5 },
      areaStyle: { opacity: 0.35 },
      emphasis: { focus: 'series' },
      data: daily(points.filter((point) => point.channel === channel)),
    }))
  }

  const formatValue = (value: unknown): string =>
    typeof value !== 'number' ? '' : view.metric === 'conversions' ? formatInteger(value) : `$${value.toFixed(2)}`
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 14, itemHeight: 10, textStyle: { color: CHART_MUTED } },
    tooltip: { trigger: 'axis', valueFormatter: formatValue },
    grid: { left: 4, right: 16, top: 36, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: dates,
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_MUTED, formatter: (value: string) => value.slice(5) },
    },
    yAxis: {
      type: 'value',
      splitLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: {
        color: CHART_MUTED,
        formatter: (value: number) => (view.metric === 'conversions' ? formatInteger(value) : formatUsdShort(value)),
      },
    },
    series,
  }
}
