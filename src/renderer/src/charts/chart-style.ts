import type { AttributionModel, AttributionModelInfo } from '@shared/attribution'

/** Colours of the models where they are the series (the model comparison), distinct from every channel colour. */
export const MODEL_COLORS: Readonly<Record<AttributionModel, string>> = {
  first_click: '#0f766e',
  last_click: '#4338ca',
  last_non_direct: '#7c3aed',
  linear: '#0369a1',
  position_based: '#be185d',
  time_decay: '#a16207',
  data_driven: '#1e293b',
}

/** Text and line colours shared by every chart, matching the stylesheet's slate palette. */
export const CHART_TEXT = '#334155'
export const CHART_MUTED = '#64748b'
export const CHART_GRID_LINE = '#e2e8f0'

/** Font stack of the app, repeated here because canvas text does not inherit CSS. */
export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif'

/** A decimal USD string as a number for plotting only; totals are never summed from these. */
export function chartAmount(amount: string): number {
  return Number(amount)
}

/** Which number a chart plots. */
export type ChartMetric = 'conversions' | 'revenue'

/** "organic_search" or "Organic Search" on two short lines, so channel names fit under their group of bars. */
export function channelAxisLabel(channel: string): string {
  return channel.replace(/[_\s]+/g, '\n')
}

/** The category axis under groups of bars: every label shown, on short lines (see `channelAxisLabel`). */
export function groupAxis(labels: string[]) {
  return {
    type: 'category' as const,
    data: labels,
    axisTick: { show: false },
    axisLine: { lineStyle: { color: CHART_GRID_LINE } },
    axisLabel: { color: CHART_TEXT, interval: 0, lineHeight: 14, formatter: channelAxisLabel },
  }
}

/** One bar series per model, in the model's colour, so each group holds one bar per model (in the given order). */
export function modelBarSeries(
  models: ReadonlyArray<Pick<AttributionModelInfo, 'id' | 'name'>>,
  valuesOf: (model: AttributionModel) => Array<number | null>,
) {
  return models.map((model) => ({
    type: 'bar' as const,
    name: model.name,
    color: MODEL_COLORS[model.id],
    barGap: '10%',
    barCategoryGap: '24%',
    barMaxWidth: 18,
    itemStyle: { borderRadius: [2, 2, 0, 0] },
    data: valuesOf(model.id),
  }))
}
