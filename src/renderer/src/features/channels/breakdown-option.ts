import type { ReportGrouping, ReportRow } from '@shared/attribution'
import type { EChartsOption } from 'echarts'
import { formatConversionsPrecise } from '@renderer/lib/format'
import { channelColor } from '@renderer/charts/channel-colors'
import { CHART_FONT, CHART_GRID_LINE, CHART_TEXT, type ChartMetric, chartAmount } from '@renderer/charts/chart-style'
import { extentOf, valueAxisScale, valueAxisOption } from '@renderer/charts/value-axis'

/** Bars beyond this are only in the table: a chart of 80 campaigns is unreadable. */
export const BREAKDOWN_CHART_MAX_BARS = 15

/** The label of a report row under its grouping ("google / cpc" for source/medium). */
export function breakdownLabel(row: ReportRow, by: ReportGrouping): string {
  if (by === 'channel') return row.channel ?? '(none)'
  if (by === 'campaign') return row.campaign ?? '(none)'
  return `${row.source ?? '(none)'} / ${row.medium ?? '(none)'}`
}

/** What the breakdown chart shows. */
export interface BreakdownView {
  by: ReportGrouping
  metric: ChartMetric
  /** The channel drilled into; its colour paints every bar below the channel level. */
  channel?: string
  /** Whether a bar opens its channel; by default at the channel level (not under data_driven, which cannot drill). */
  isClickable?: boolean
}

/** Horizontal bars of the biggest groups by the chosen metric, coloured by channel. */
export function buildBreakdownOption(rows: readonly ReportRow[], view: BreakdownView): EChartsOption {
  const valueOf = (row: ReportRow) => (view.metric === 'conversions' ? row.conversions : chartAmount(row.revenue_usd))
  const shown = [...rows].sort((a, b) => valueOf(b) - valueOf(a)).slice(0, BREAKDOWN_CHART_MAX_BARS)
  const colorOf = (row: ReportRow) => channelColor(row.channel ?? view.channel ?? '')
  const formatValue = (value: unknown): string =>
    typeof value !== 'number' ? '' : view.metric === 'conversions' ? formatConversionsPrecise(value) : `$${value.toFixed(2)}`
  const scale = valueAxisScale(view.metric, extentOf(shown.map(valueOf)))
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: formatValue },
    grid: { left: 4, right: 24, top: 8, bottom: 4, containLabel: true },
    xAxis: valueAxisOption(scale),
    yAxis: {
      type: 'category',
      inverse: true,
      data: shown.map((row) => breakdownLabel(row, view.by)),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_TEXT, width: 180, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        name: view.metric === 'conversions' ? 'Conversions' : 'Revenue',
        barCategoryGap: '30%',
        barMaxWidth: 28,
        // Bars below the channel level are the drilled channel's colour; clicking is only offered at channel level.
        cursor: (view.isClickable ?? view.by === 'channel') ? 'pointer' : 'default',
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        data: shown.map((row) => ({ value: valueOf(row), itemStyle: { color: colorOf(row) } })),
      },
    ],
  }
}
