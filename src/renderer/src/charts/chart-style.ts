import type { AttributionModel } from '@shared/attribution'

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
