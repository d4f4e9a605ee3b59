import type { ComparisonRow } from '@shared/api'
import type { EChartsOption } from 'echarts'
import { formatConversionsPrecise } from '@renderer/lib/format'
import { channelColor } from '@renderer/charts/channel-colors'
import { CHART_FONT, CHART_GRID_LINE, CHART_MUTED, CHART_TEXT, type ChartMetric, chartAmount } from '@renderer/charts/chart-style'
import { extentOf, valueAxisScale, valueAxisOption } from '@renderer/charts/value-axis'

/** Opacity of model a's bars: same channel colour as model b, lighter, so the pair reads as one channel. */
export const MODEL_A_OPACITY = 0.45

/**
 * Grouped horizontal bars per channel: model a (light) beside model b (solid), in the channel's colour.
 * `names` are the two models' names, used as series and legend entries.
 */
export function buildComparisonOption(
  rows: readonly ComparisonRow[],
  metric: ChartMetric,
  names: readonly [string, string],
): EChartsOption {
  const channels = rows.map((row) => row.channel)
  const valueOf = (row: ComparisonRow, side: 'a' | 'b'): number =>
    metric === 'conversions' ? row[`${side}_conversions`] : chartAmount(row[`${side}_revenue_usd`])
  const formatValue = (value: unknown): string =>
    typeof value !== 'number' ? '' : metric === 'conversions' ? formatConversionsPrecise(value) : `$${value.toFixed(2)}`
  const scale = valueAxisScale(metric, extentOf(rows.flatMap((row) => [valueOf(row, 'a'), valueOf(row, 'b')])))
  // Two series of one name would merge in the legend when a model is compared with itself.
  const seriesNames = names[0] === names[1] ? [`${names[0]} (a)`, `${names[1]} (b)`] : [...names]
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
      data: seriesNames,
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: formatValue },
    grid: { left: 4, right: 16, top: 32, bottom: 4, containLabel: true },
    xAxis: valueAxisOption(scale),
    yAxis: {
      type: 'category',
      data: channels,
      // Top row first, as in the table beside the chart.
      inverse: true,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_TEXT },
    },
    series: (['a', 'b'] as const).map((side, index) => ({
      type: 'bar' as const,
      name: seriesNames[index],
      barGap: '8%',
      barCategoryGap: '28%',
      // Series colour drives the legend swatch; each bar takes its channel's colour.
      itemStyle: { color: CHART_MUTED, opacity: side === 'a' ? MODEL_A_OPACITY : 1, borderRadius: [0, 3, 3, 0] },
      data: rows.map((row) => ({ value: valueOf(row, side), itemStyle: { color: channelColor(row.channel) } })),
    })),
  }
}
