import type { AttributionModelInfo } from '@shared/attribution'
import type { CostReturnRow, CostTrendDay } from '@shared/cost-return'
import type { EChartsOption } from 'echarts'
import { CHART_FONT, CHART_GRID_LINE, CHART_MUTED, CHART_TEXT, MODEL_COLORS, groupAxis, modelBarSeries } from '@renderer/charts/chart-style'

/** Groups beyond this are only in the table: seven bars a group get too thin to read. */
export const ROAS_CHART_MAX_GROUPS = 8

type ModelNames = ReadonlyArray<Pick<AttributionModelInfo, 'id' | 'name'>>

const formatRoas = (value: unknown): string => (typeof value === 'number' ? `${value.toFixed(2)}×` : '—')

/** A ROAS string as a number for plotting; no ROAS (no cost) plots nothing. */
function roasValue(roas: string | null | undefined): number | null {
  return roas === null || roas === undefined ? null : Number(roas)
}

const BASE = {
  textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
  animationDuration: 300,
  legend: { top: 0, left: 0, type: 'scroll' as const, icon: 'roundRect', itemWidth: 14, itemHeight: 10, textStyle: { color: CHART_MUTED } },
  grid: { left: 4, right: 16, top: 36, bottom: 4, containLabel: true },
}

// Unnamed: the ticks say "×" and the legend sits where an axis name would.
const ROAS_AXIS = {
  type: 'value' as const,
  axisLabel: { color: CHART_MUTED, formatter: (value: number) => `${value}×` },
  splitLine: { lineStyle: { color: CHART_GRID_LINE } },
}

/** ROAS by model per group: one group of bars per row with cost (in table order), one bar per model in its colour. */
export function buildRoasByModelOption(
  rows: readonly CostReturnRow[],
  models: ModelNames,
  label: (row: CostReturnRow) => string,
): EChartsOption {
  const shown = rows.filter((row) => row.cost_usd !== '0.00').slice(0, ROAS_CHART_MAX_GROUPS)
  return {
    ...BASE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: formatRoas },
    xAxis: groupAxis(shown.map(label)),
    yAxis: ROAS_AXIS,
    series: modelBarSeries(models, (model) => shown.map((row) => roasValue(row.cells[model]?.roas))),
  }
}

/** Daily ROAS of two models as lines; a day without cost has no ROAS and leaves a gap. */
export function buildRoasTrendOption(days: readonly CostTrendDay[], models: ModelNames): EChartsOption {
  return {
    ...BASE,
    tooltip: { trigger: 'axis', valueFormatter: formatRoas },
    xAxis: {
      type: 'category',
      data: days.map((day) => day.date),
      boundaryGap: false,
      axisLine: { lineStyle: { color: CHART_GRID_LINE } },
      axisLabel: { color: CHART_MUTED, formatter: (date: string) => date.slice(5) },
    },
    yAxis: ROAS_AXIS,
    series: models.map((model) => ({
      type: 'line' as const,
      name: model.name,
      color: MODEL_COLORS[model.id],
      showSymbol: false,
      connectNulls: false,
      data: days.map((day) => roasValue(day.models[model.id]?.roas)),
    })),
  }
}
