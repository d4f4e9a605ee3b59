/**
 * Cost and return under every model: the request, the result and the maths, in whole units.
 * Cost per conversion is cost / credited conversions to the cent; ROAS is revenue / cost to two
 * decimals (half up); either is null where its divisor is 0, and both where no cost is recorded (shown as "—").
 */
import {
  ATTRIBUTION_MODELS,
  type AttributionModel,
  type ConversionEvent,
  type Result,
  isRuleBasedModel,
  validateReportRequest,
} from './attribution'
import { formatCents } from './money'

/** How the view groups: per channel, or per source/medium/campaign (rule-based models only). */
export const COST_GROUPINGS = ['channel', 'campaign'] as const
export type CostGrouping = (typeof COST_GROUPINGS)[number]

/** What the Cost & return view and `report --with-cost` ask for. */
export interface CostReturnRequest {
  lookbackDays: number
  conversionEvents: readonly ConversionEvent[]
  fromDate?: string
  toDate?: string
  by: CostGrouping
  /** The model the others are compared with. */
  baseline: AttributionModel
  /** The two rule-based models of the daily ROAS trend. */
  trendModels: [AttributionModel, AttributionModel]
  /** The channel of the trend; all channels with cost when absent. */
  trendChannel?: string
}

/** One model's figures for one group. */
export interface CostCell {
  conversions: number
  revenue_usd: string
  /** Cost / conversions to the cent; null with no conversions or no cost. */
  cost_per_conversion_usd: string | null
  /** Revenue / cost to 2 decimals; null where cost is 0. */
  roas: string | null
  /** ROAS minus the baseline's ROAS; null where either is null. */
  roas_change: string | null
  /** Conversions minus the baseline's. */
  conversions_change: number
}

/** One group (a channel, or a source/medium/campaign) with its cost and every model's cell. */
export interface CostReturnRow {
  channel: string
  source?: string
  medium?: string
  campaign?: string
  cost_usd: string
  /** Absent for data_driven when grouped by campaign (its credit is per channel only). */
  cells: Partial<Record<AttributionModel, CostCell>>
}

/** A group (channel, or "source / medium / campaign") whose ROAS rank differs most between two models. */
export interface RankDisagreement {
  group: string
  model_a: AttributionModel
  model_b: AttributionModel
  rank_a: number
  rank_b: number
  rank_difference: number
}

/** One day of the ROAS trend. */
export interface CostTrendDay {
  date: string
  cost_usd: string
  models: Partial<Record<AttributionModel, { revenue_usd: string; roas: string | null }>>
}

/** The Cost & return view's answer. */
export interface CostReturnResult {
  lookback_days: number
  conversion_events: readonly ConversionEvent[]
  by: CostGrouping
  baseline: AttributionModel
  models: AttributionModel[]
  rows: CostReturnRow[]
  totals: { cost_usd: string; cells: Partial<Record<AttributionModel, CostCell>> }
  disagreements: RankDisagreement[]
  trend: { models: [AttributionModel, AttributionModel]; channel: string | null; days: CostTrendDay[] }
}

/**
 * Cost per conversion in cents, half up; credit is in millionths of a conversion. Null with no
 * conversions, and with no cost recorded: organic traffic's cost is unknown, not zero.
 */
export function costPerConversionCents(costCents: bigint, creditMicros: bigint): bigint | null {
  if (creditMicros <= 0n || costCents <= 0n) return null
  return divideHalfUp(costCents * 1_000_000n, creditMicros)
}

/** ROAS in hundredths (revenue / cost × 100, half up); null where cost is 0. */
export function roasHundredths(revenueCents: bigint, costCents: bigint): bigint | null {
  if (costCents <= 0n) return null
  return divideHalfUp(revenueCents * 100n, costCents)
}

/** Hundredths as "1.67". */
export function formatHundredths(value: bigint | null): string | null {
  return value === null ? null : formatCents(value)
}

function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const sign = numerator < 0n !== denominator < 0n ? -1n : 1n
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  return sign * ((n * 2n + d) / (d * 2n))
}

/** One model's credit and cost for a group, in whole units. */
export interface CostFigures {
  creditMicros: bigint
  revenueCents: bigint
  costCents: bigint
}

/** A cell from whole units, against the baseline's figures (or none). */
export function costCell(figures: CostFigures, baseline: CostFigures | undefined): CostCell {
  const roas = roasHundredths(figures.revenueCents, figures.costCents)
  const baseRoas = baseline ? roasHundredths(baseline.revenueCents, baseline.costCents) : null
  const conversions = Number(figures.creditMicros) / 1_000_000
  const baseConversions = baseline ? Number(baseline.creditMicros) / 1_000_000 : conversions
  const cpa = costPerConversionCents(figures.costCents, figures.creditMicros)
  return {
    conversions,
    revenue_usd: formatCents(figures.revenueCents),
    cost_per_conversion_usd: cpa === null ? null : formatCents(cpa),
    roas: formatHundredths(roas),
    roas_change: roas === null || baseRoas === null ? null : formatCents(roas - baseRoas),
    conversions_change: Math.round((conversions - baseConversions) * 1e6) / 1e6,
  }
}

/**
 * The groups whose ROAS rank differs most between any two models: groups with cost are ranked per
 * model by ROAS (highest first, ties by name); each group's largest rank gap over all model pairs
 * (the first pair in model order on ties), largest first. Groups without cost have no ROAS, no rank.
 */
export function rankDisagreements(
  rows: ReadonlyArray<CostReturnRow>,
  models: ReadonlyArray<AttributionModel>,
  limit = 5,
): RankDisagreement[] {
  const ranked = rows.filter((row) => row.cost_usd !== '0.00').map((row) => ({ ...row, channel: groupLabel(row) }))
  const ranks = new Map<AttributionModel, Map<string, number>>()
  for (const model of models) {
    const withRoas = ranked
      .map((row) => ({ key: row.channel, roas: row.cells[model]?.roas }))
      .filter((entry): entry is { key: string; roas: string } => typeof entry.roas === 'string')
      .sort((a, b) => Number(b.roas) - Number(a.roas) || a.key.localeCompare(b.key))
    ranks.set(model, new Map(withRoas.map((entry, index) => [entry.key, index + 1])))
  }
  const found: RankDisagreement[] = []
  for (const row of ranked) {
    let best: RankDisagreement | undefined
    for (const [i, modelA] of models.entries()) {
      for (const modelB of models.slice(i + 1)) {
        const rankA = ranks.get(modelA)?.get(row.channel)
        const rankB = ranks.get(modelB)?.get(row.channel)
        if (rankA === undefined || rankB === undefined) continue
        const difference = Math.abs(rankA - rankB)
        if (!best || difference > best.rank_difference) {
          best = { group: row.channel, model_a: modelA, model_b: modelB, rank_a: rankA, rank_b: rankB, rank_difference: difference }
        }
      }
    }
    if (best && best.rank_difference > 0) found.push(best)
  }
  return found.sort((a, b) => b.rank_difference - a.rank_difference || a.group.localeCompare(b.group)).slice(0, limit)
}

/** A row's name for people: its channel, or "source / medium / campaign". */
export function groupLabel(row: Pick<CostReturnRow, 'channel' | 'source' | 'medium' | 'campaign'>): string {
  return row.source === undefined ? row.channel : `${row.source} / ${row.medium ?? ''} / ${row.campaign ?? ''}`
}

/** Checks a cost & return request from outside (IPC, HTTP, CLI). */
export function validateCostReturnRequest(input: unknown): Result<CostReturnRequest> {
  if (typeof input !== 'object' || input === null) return { ok: false, error: 'A cost & return request must be an object.' }
  const record = input as Record<string, unknown>
  const by = record.by ?? 'channel'
  if (!(COST_GROUPINGS as readonly unknown[]).includes(by)) return { ok: false, error: `by must be one of ${COST_GROUPINGS.join(', ')}.` }
  const base = validateReportRequest({ ...record, model: record.baseline ?? 'last_click', by: 'channel', channel: undefined })
  if (!base.ok) return base
  const trendModels = record.trendModels ?? ['last_click', 'first_click']
  if (
    !Array.isArray(trendModels) ||
    trendModels.length !== 2 ||
    !trendModels.every((model) => (ATTRIBUTION_MODELS as readonly unknown[]).includes(model) && isRuleBasedModel(String(model)))
  ) {
    return { ok: false, error: 'trendModels must be two rule-based models (data_driven is solved per channel, not per day).' }
  }
  if (record.trendChannel !== undefined && (typeof record.trendChannel !== 'string' || record.trendChannel.length > 200)) {
    return { ok: false, error: 'trendChannel must be a channel name.' }
  }
  const { lookbackDays, conversionEvents, fromDate, toDate, model } = base.value
  return {
    ok: true,
    value: {
      lookbackDays,
      conversionEvents,
      ...(fromDate ? { fromDate } : {}),
      ...(toDate ? { toDate } : {}),
      by: by as CostGrouping,
      baseline: model,
      trendModels: trendModels as [AttributionModel, AttributionModel],
      ...(typeof record.trendChannel === 'string' ? { trendChannel: record.trendChannel } : {}),
    },
  }
}
