import type { AttributionModelInfo } from '@shared/attribution'
import type { EChartsOption } from 'echarts'
import { formatConversionsPrecise } from '@renderer/lib/format'
import type { ModelComparisonTableRow } from '@renderer/lib/model-comparison'
import { CHART_FONT, CHART_MUTED, CHART_TEXT, type ChartMetric, chartAmount, groupAxis, modelBarSeries } from '@renderer/charts/chart-style'
import { extentOf, valueAxisScale, valueAxisOption } from '@renderer/charts/value-axis'

/** Channels beyond this are only in the table: seven bars a channel get too thin to read. */
export const MODEL_CHART_MAX_CHANNELS = 8

/** What the model comparison chart shows: the models (in column order, with their names) and which number. */
export interface ModelComparisonView {
  models: ReadonlyArray<Pick<AttributionModelInfo, 'id' | 'name'>>
  metric: ChartMetric
}

/** Grouped vertical bars: one group per channel (in table order), one bar per model in the model's colour. */
export function buildModelComparisonOption(rows: readonly ModelComparisonTableRow[], view: ModelComparisonView): EChartsOption {
  const shown = rows.slice(0, MODEL_CHART_MAX_CHANNELS)
  const valueOf = (row: ModelComparisonTableRow, model: ModelComparisonView['models'][number]['id']) => {
    const cell = row.cells[model]
    return view.metric === 'conversions' ? cell.conversions : chartAmount(cell.revenue_usd)
  }
  const formatValue = (value: unknown): string =>
    typeof value !== 'number' ? '' : view.metric === 'conversions' ? formatConversionsPrecise(value) : `$${value.toFixed(2)}`
  const scale = valueAxisScale(view.metric, extentOf(shown.flatMap((row) => view.models.map((model) => valueOf(row, model.id)))))
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 14, itemHeight: 10, textStyle: { color: CHART_MUTED } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: formatValue },
    grid: { left: 4, right: 16, top: 36, bottom: 4, containLabel: true },
    xAxis: groupAxis(shown.map((row) => row.channel)),
    yAxis: valueAxisOption(scale),
    series: modelBarSeries(view.models, (model) => shown.map((row) => valueOf(row, model))),
  }
}
