import type { ComparisonRow } from '@shared/api'
import type { EChartsOption } from 'echarts'
import { formatInteger } from '../lib/format'
import { channelColor } from './channel-colors'
import { CHART_FONT, CHART_GRID_LINE, CHART_MUTED, CHART_TEXT, type ChartMetric, chartAmount } from './chart-style'
import { extentOf, valueAxisScale } from './value-axis'

/** Opacity of first-click bars: same channel colour as last click, lighter, so the pair reads as one channel. */
export const FIRST_CLICK_OPACITY = 0.45

/** Names of the two series, also the legend entries. */
export const COMPARISON_SERIES = { first_click: 'First click', last_click: 'Last click' } as const

/** Grouped horizontal bars per channel: first click (light) beside last click (solid), in the channel's colour. */
export function buildComparisonOption(rows: readonly ComparisonRow[], metric: ChartMetric): EChartsOption {
  const channels = rows.map((row) => row.channel)
  const valueOf = (row: ComparisonRow, model: 'first_click' | 'last_click'): number =>
    metric === 'conversions' ? row[`${model}_conversions`] : chartAmount(row[`${model}_revenue_usd`])
  const formatValue = (value: unknown): string =>
    typeof value !== 'number' ? '' : metric === 'conversions' ? formatInteger(value) : `$${value.toFixed(2)}`
  const scale = valueAxisScale(metric, extentOf(rows.flatMap((row) => [valueOf(row, 'first_click'), valueOf(row, 'last_click')])))
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    legend: {
      top: 0,
      right: 0,
      icon: 'roundRect',
      itemWidth: 14,
      itemHeight: 10,
      textStyle: { color: CHART_MUTED },
      data: [COMPARISON_SERIES.first_click, COMPARISON_SERIES.last_click],
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: formatValue },
    grid: { left: 4, right: 16, top: 32, bottom: 4, containLabel: true },
    xAxis: {
      type: 'value',
      min: scale.min,
      max: scale.max,
      interval: scale.interval,
      minInterval: scale.minInterval,
      splitLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_MUTED, formatter: scale.formatter },
    },
    yAxis: {
      type: 'category',
      data: channels,
      // Top row first, as in the table beside the chart.
      inverse: true,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_TEXT },
    },
    series: (['first_click', 'last_click'] as const).map((model) => ({
      type: 'bar' as const,
      name: COMPARISON_SERIES[model],
      barGap: '8%',
      barCategoryGap: '28%',
      // Series colour drives the legend swatch; each bar takes its channel's colour.
      itemStyle: { color: CHART_MUTED, opacity: model === 'first_click' ? FIRST_CLICK_OPACITY : 1, borderRadius: [0, 3, 3, 0] },
      data: rows.map((row) => ({ value: valueOf(row, model), itemStyle: { color: channelColor(row.channel) } })),
    })),
  }
}
