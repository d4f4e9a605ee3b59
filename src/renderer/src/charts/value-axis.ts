import { formatInteger, formatUsdShort, formatUsdWithCents } from '../lib/format'
import { CHART_GRID_LINE, CHART_MUTED, type ChartMetric } from './chart-style'

/** Below this many dollars the axis shows cents: whole-dollar labels would repeat ("$0 $0 $0 $1"). */
export const USD_CENTS_AXIS_BELOW = 5

/** The scale and labels of a value axis; spread into an ECharts `xAxis`/`yAxis` of type `value`. */
export interface ValueAxisScale {
  min?: number
  max?: number
  interval?: number
  minInterval: number
  formatter: (value: number) => string
}

/**
 * Scale of an axis plotting counts or USD whose bars or stacks reach `extent` (largest distance from 0).
 * Counts tick in whole numbers; dollars in cents below a few dollars; all zero is one flat 0 line.
 */
export function valueAxisScale(metric: ChartMetric, extent: number): ValueAxisScale {
  const zero = metric === 'conversions' ? '0' : '$0'
  if (!(extent > 0)) return { min: 0, max: 1, interval: 1, minInterval: 1, formatter: (value) => (value === 0 ? zero : '') }
  if (metric === 'conversions') return { minInterval: 1, formatter: formatInteger }
  if (extent < USD_CENTS_AXIS_BELOW) return { minInterval: 0.01, formatter: formatUsdWithCents }
  return { minInterval: 1, formatter: formatUsdShort }
}

/** Largest distance from 0 of any value, for `valueAxisScale`. */
export function extentOf(values: Iterable<number>): number {
  let extent = 0
  for (const value of values) if (Number.isFinite(value)) extent = Math.max(extent, Math.abs(value))
  return extent
}

/** The value axis of a chart drawn with `scale`: its bounds, ticks, grid lines and labels. */
export function valueAxisOption(scale: ValueAxisScale) {
  return {
    type: 'value' as const,
    min: scale.min,
    max: scale.max,
    interval: scale.interval,
    minInterval: scale.minInterval,
    splitLine: { lineStyle: { color: CHART_GRID_LINE } },
    axisLabel: { color: CHART_MUTED, formatter: scale.formatter },
  }
}
