import type { ModelComparisonResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel } from '@shared/attribution'
import { sumAmounts } from '@shared/money'
import { roundCredit } from './comparison'

/** The model every other one is measured against until a person picks another, as GA4's model comparison does by default. */
export const BASELINE_MODEL: AttributionModel = 'last_click'

/** One model's credit to one channel, with its change relative to the baseline model's credit to the same channel. */
export interface ModelCell {
  conversions: number
  revenue_usd: string
  /** (this − baseline) ÷ baseline: 0.25 is +25%; null when the baseline is 0 (no change can be said). */
  conversions_change: number | null
  revenue_change: number | null
}

/** A channel with a cell for every model (zero for a model the answer does not credit it under). */
export interface ModelComparisonTableRow {
  channel: string
  cells: Record<AttributionModel, ModelCell>
}

/** The relative change from `baseline` to `value`, or null when the baseline is 0. */
export function percentChange(value: number, baseline: number): number | null {
  return baseline === 0 ? null : (value - baseline) / baseline
}

/** Whether a change reads as up, down or flat once shown to a tenth of a percent (as formatPercentChange shows it); none without a baseline. */
export function changeDirection(change: number | null): 'up' | 'down' | 'flat' | 'none' {
  if (change === null || !Number.isFinite(change)) return 'none'
  const tenths = Math.round(change * 1000)
  return tenths > 0 ? 'up' : tenths < 0 ? 'down' : 'flat'
}

type Credit = { conversions: number; revenue_usd: string }

/** Cells for every model from the credits given, each with its change vs the baseline model's credit. */
function cellsOf(credits: Partial<Record<AttributionModel, Credit>>, baselineModel: AttributionModel): Record<AttributionModel, ModelCell> {
  const baseline = credits[baselineModel] ?? { conversions: 0, revenue_usd: '0.00' }
  const entries = ATTRIBUTION_MODELS.map((model) => {
    const credit = credits[model] ?? { conversions: 0, revenue_usd: '0.00' }
    const cell: ModelCell = {
      conversions: credit.conversions,
      revenue_usd: credit.revenue_usd,
      conversions_change: percentChange(credit.conversions, baseline.conversions),
      // A ratio of amounts: floats are exact enough for a percentage; the amounts themselves stay strings.
      revenue_change: percentChange(Number(credit.revenue_usd), Number(baseline.revenue_usd)),
    }
    return [model, cell] as const
  })
  return Object.fromEntries(entries) as Record<AttributionModel, ModelCell>
}

/** Rows (channels or another dimension's values) with every model's credit and its change vs the baseline, biggest under the baseline first, then by name. */
export function modelComparisonRows(result: ModelComparisonResult, baseline: AttributionModel = BASELINE_MODEL): ModelComparisonTableRow[] {
  return result.rows
    .map((row) => ({ channel: row.channel, cells: cellsOf(row.cells, baseline) }))
    .sort((a, b) => b.cells[baseline].conversions - a.cells[baseline].conversions || a.channel.localeCompare(b.channel))
}

/** Every model's column sums (credit to its 6 decimals, money exact), with the change of each sum vs the baseline's. */
export function modelComparisonTotals(
  result: ModelComparisonResult,
  baseline: AttributionModel = BASELINE_MODEL,
): Record<AttributionModel, ModelCell> {
  const sums = ATTRIBUTION_MODELS.map((model) => {
    const credits = result.rows.map((row) => row.cells[model] ?? { conversions: 0, revenue_usd: '0.00' })
    const sum: Credit = {
      conversions: roundCredit(credits.reduce((total, credit) => total + credit.conversions, 0)),
      revenue_usd: sumAmounts(credits.map((credit) => credit.revenue_usd)),
    }
    return [model, sum] as const
  })
  return cellsOf(Object.fromEntries(sums), baseline)
}
